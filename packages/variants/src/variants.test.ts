import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VARIANTS } from './index.js';

const repo = (relative: string) => fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
const names = VARIANTS.map((v) => v.declaration.name);

describe('the list of variants', () => {
  it('is every variant package (packages/connector-<name> with a main), each once', () => {
    const packages = readdirSync(repo('packages'))
      .filter((dir) => dir.startsWith('connector-') && existsSync(repo(`packages/${dir}/src/main.ts`)))
      .map((dir) => dir.slice('connector-'.length));
    expect([...names].sort()).toEqual(packages.sort());
  });

  it("names each variant as its package and its declaration do, and uses the package's bundle", () => {
    for (const v of VARIANTS) {
      expect(v.entry).toBe(repo(`packages/connector-${v.declaration.name}/dist/main.cjs`));
      const manifest = JSON.parse(
        readFileSync(repo(`packages/connector-${v.declaration.name}/package.json`), 'utf8'),
      );
      expect(manifest.name).toBe(`@state-proxy/connector-${v.declaration.name}`);
    }
  });

  it("matches the README's variant table: name, consistency and write mode", () => {
    const readme = readFileSync(repo('README.md'), 'utf8');
    const rows = [
      ...readme.matchAll(/^\| `([a-z0-9-]+)`[^|]*\|[^|]*\|[^|]*\| ([^|]+?) +\| (\w+) +\|$/gm),
    ].map(([, name, consistency, writes]) => ({
      name,
      cas: consistency?.startsWith('compare-and-set'),
      writes,
    }));
    expect(rows).toEqual(
      VARIANTS.map((v) => ({
        name: v.declaration.name,
        cas: v.declaration.consistency === 'cas',
        writes: v.declaration.writeMode,
      })),
    );
  });
});
