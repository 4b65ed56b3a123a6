/**
 * A small ext4 disk on a loop device with a readahead of our choosing, for the cold copies of
 * node and the bundle. Why: every page fault on a mapped file reads `read_ahead_kb` around it,
 * and all of that is charged to the container. Cloud block devices (what a Kubernetes node's
 * images sit on) default to 128 KiB; a VM disk tuned for throughput may have megabytes (this
 * machine's has 8 MiB), with which a 64 MiB container spends its time re-reading node's text it
 * just evicted and never serves. The loop device uses direct I/O, so the image file's own pages
 * are not cached on the host either. Needs root, losetup, mkfs.ext4 and mount.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { run } from './cold-copy.js';

export interface LoopDisk {
  /** Where it is mounted. */
  dir: string;
  remove(): Promise<void>;
}

export async function createLoopDisk(
  workDir: string,
  sizeMiB: number,
  readaheadKb: number,
): Promise<LoopDisk> {
  const image = join(workDir, 'disk.img');
  const dir = join(workDir, 'disk');
  const file = await open(image, 'w');
  await file.truncate(sizeMiB * 1024 * 1024); // sparse
  await file.close();
  await run('mkfs.ext4', ['-q', '-F', image]);
  const device = (await run('losetup', ['--direct-io=on', '--find', '--show', image])).stdout.trim();
  let mounted = false;
  const remove = async () => {
    if (mounted) await unmount(dir);
    mounted = false;
    await run('losetup', ['--detach', device]).catch(() => {}); // already detached
    await rm(image, { force: true });
  };
  try {
    await writeFile(`/sys/block/${basename(device)}/queue/read_ahead_kb`, String(readaheadKb));
    await mkdir(dir);
    await run('mount', [device, dir]);
    mounted = true;
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, remove };
}

/**
 * Unmounts, waiting while processes started from the disk are still exiting (on SIGINT every
 * stop runs at once); lazily in the end, so the loop device goes when they are gone.
 */
async function unmount(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    try {
      await run('umount', [dir]);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await run('umount', ['--lazy', dir]);
}

/** The readahead of the block device holding `path` (a partition's is its disk's), if readable. */
export function readaheadKbOf(path: string): number | undefined {
  const { dev } = statSync(path);
  const sys = `/sys/dev/block/${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`;
  for (const queue of [join(sys, 'queue'), join(sys, '..', 'queue')]) {
    try {
      return Number(readFileSync(join(queue, 'read_ahead_kb'), 'utf8'));
    } catch {
      // not a whole disk: try its parent
    }
  }
  return undefined;
}
