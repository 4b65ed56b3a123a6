/**
 * The compile cache the images ship (images/Dockerfile runs scripts/compile-cache.mjs at build),
 * made the same way for every bundle the bench starts, so that start-up figures are the images'.
 * One directory per bundle, made once per bench process and removed when it exits.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { warmCompileCache } from '../../../scripts/compile-cache.mjs';

let root: string | undefined;
const made = new Map<string, string>();

/** The NODE_COMPILE_CACHE directory holding the cache of `bundle` (made on first use). */
export function compileCacheOf(bundle: string): string {
  const existing = made.get(bundle);
  if (existing !== undefined) return existing;
  if (root === undefined) {
    root = mkdtempSync(join(tmpdir(), 'state-proxy-bench-compile-cache-'));
    process.once('exit', removeCompileCaches);
  }
  const dir = join(root, String(made.size));
  mkdirSync(dir);
  warmCompileCache(bundle, dir);
  made.set(bundle, dir);
  return dir;
}

/** Removes every cache made so far (at exit; vitest workers, which never exit, call it themselves). */
export function removeCompileCaches(): void {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
  made.clear();
}
