/**
 * The page cache an image's container starts with. Cold: node and the bundle (/nodejs/bin/node,
 * the files under /app) dropped from the cache, so the container faults them in and they are
 * charged to it, as on a node that has just pulled the image. Warm: read once beforehand, as on
 * a node already running the image, where those pages are cached and charged elsewhere.
 *
 * The files are found in the image's layer directories, which the engine's image inspect gives
 * (GraphDriver: overlay upper and lower dirs; root can read them). Dropped with GNU dd
 * `iflag=nocache count=0` (posix_fadvise DONTNEED on the whole file): pages a running process has
 * mapped stay, which is why `fincore` says how much of them is cached right before each start.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ImageLayers {
  GraphDriver?: { Data?: Record<string, string> | null };
}

/** The image's node binary and /app files in its layers, or why they cannot be had here. */
export function imageFiles(image: ImageLayers): { files: string[] } | { problem: string } {
  const data = image.GraphDriver?.Data ?? {};
  const layers = [data.UpperDir, ...(data.LowerDir?.split(':') ?? [])].filter((d) => d !== undefined);
  if (layers.length === 0) return { problem: "the engine's image inspect names no layer directories" };
  const files: string[] = [];
  try {
    for (const layer of layers) {
      if (existsSync(join(layer, 'nodejs/bin/node'))) files.push(join(layer, 'nodejs/bin/node'));
      const app = join(layer, 'app');
      if (existsSync(app))
        for (const entry of readdirSync(app, { recursive: true, withFileTypes: true }))
          if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
    }
  } catch (error) {
    return { problem: `the image's layers are not readable here (${(error as Error).message})` };
  }
  if (!files.some((f) => f.endsWith('/nodejs/bin/node')))
    return { problem: "no /nodejs/bin/node in the image's layers" };
  return { files };
}

/**
 * Whether the image's /app/main.cjs is `bundle` (this checkout's build): the image may have been
 * built from other sources. Paths into node_modules, which differ by build directory, left out.
 */
export function sameBundle(files: string[], bundle: string): boolean {
  const sha = (file: string) =>
    createHash('sha256')
      .update(readFileSync(file, 'utf8').replace(/[^"]*\/node_modules\/\.pnpm\//g, ''))
      .digest('hex');
  const inImage = files.find((f) => f.endsWith('/app/main.cjs'));
  return inImage !== undefined && sha(inImage) === sha(bundle);
}

/** Drops the files from the page cache (cold) or reads them into it (warm); then what of them is cached. */
export async function preparePageCache(files: string[], cache: 'warm' | 'cold'): Promise<number | undefined> {
  for (const file of files)
    await run('dd', [
      `if=${file}`,
      ...(cache === 'cold' ? ['iflag=nocache', 'count=0'] : ['of=/dev/null', 'bs=1M']),
      'status=none',
    ]);
  return cachedBytes(files);
}

/** Bytes of the files in the page cache (util-linux fincore), undefined without it. */
export async function cachedBytes(files: string[]): Promise<number | undefined> {
  try {
    const { stdout } = await run('fincore', ['--bytes', '--noheadings', '--output', 'RES', ...files]);
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .reduce((sum, line) => sum + Number(line.trim()), 0);
  } catch {
    return undefined;
  }
}

/** The readahead of the block device holding `path` (a partition's is its disk's), if readable. */
export function readaheadKbOf(path: string): number | undefined {
  const { dev } = statSync(path);
  const sys = `/sys/dev/block/${Math.floor(dev / 256) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`;
  for (const queue of [join(sys, 'queue'), join(sys, '..', 'queue')])
    if (existsSync(join(queue, 'read_ahead_kb')))
      return Number(readFileSync(join(queue, 'read_ahead_kb'), 'utf8'));
  return undefined;
}
