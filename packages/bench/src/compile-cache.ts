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
    const dir = mkdtempSync(join(tmpdir(), 'state-proxy-bench-compile-cache-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    root = dir;
  }
  const dir = join(root, String(made.size));
  mkdirSync(dir);
  warmCompileCache(bundle, dir);
  made.set(bundle, dir);
  return dir;
}
