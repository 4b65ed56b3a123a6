/**
 * A copy of a file none of whose pages are in the page cache (dd with O_DIRECT on both ends).
 * The first process to map or read the copy faults its pages in, and the kernel charges them to
 * that process's cgroup: as for a container started from a freshly pulled image, the ~120 MiB
 * node binary then counts against the container's limit instead of being already cached (and
 * charged) elsewhere, as the bench's own `node` is.
 */
import { execFile } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { promisify } from 'node:util';

export const run = promisify(execFile);

export async function coldCopy(source: string, target: string, mode = 0o755): Promise<string> {
  await run('dd', [`if=${source}`, `of=${target}`, 'iflag=direct', 'oflag=direct', 'bs=1M', 'status=none']);
  await chmod(target, mode);
  return target;
}
