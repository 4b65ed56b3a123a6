import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileCacheOf, removeCompileCaches } from './compile-cache.js';

const work = mkdtempSync(join(tmpdir(), 'compile-cache-test-'));
afterAll(() => {
  removeCompileCaches();
  rmSync(work, { recursive: true, force: true });
});

/** A bundle stand-in: ESM like the connectors' bundles, and it exits by itself. */
function bundle(name: string): string {
  const path = join(work, name);
  writeFileSync(path, `import { createServer } from 'node:http';\nexport const server = createServer;\n`);
  return path;
}

/** What node says (on stderr) about the compile cache when it runs `file` with it. */
const cacheLog = (file: string, dir: string) =>
  spawnSync(process.execPath, [file], {
    env: { NODE_COMPILE_CACHE: dir, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' },
    encoding: 'utf8',
  }).stderr;

describe('compileCacheOf', () => {
  it('makes a cache that node then accepts for the same bundle', () => {
    const file = bundle('a.mjs');
    const dir = compileCacheOf(file);
    expect(readdirSync(dir, { recursive: true }).length).toBeGreaterThan(0);
    expect(cacheLog(file, dir)).toMatch(/V8 code cache for ESM file:.*a\.mjs was accepted/);
  });

  it('makes one directory per bundle, once', () => {
    const first = bundle('b.mjs');
    const second = bundle('c.mjs');
    const dir = compileCacheOf(first);
    expect(compileCacheOf(second)).not.toBe(dir);
    expect(compileCacheOf(first)).toBe(dir);
    expect(cacheLog(second, compileCacheOf(second))).toMatch(/c\.mjs was accepted/);
  });
});
