/**
 * One version for everything that ships (the images and the publishable packages), and a
 * changelog that says what each version brought. scripts/set-version.mjs moves them together.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoPath } from './repo.js';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
}

const manifests: Manifest[] = readdirSync(repoPath('packages'))
  .sort()
  .map((name) => JSON.parse(readFileSync(repoPath(`packages/${name}/package.json`), 'utf8')) as Manifest);
const changelog = readFileSync(repoPath('CHANGELOG.md'), 'utf8');

describe('versions', () => {
  it('every package has the same version', () => {
    expect(new Set(manifests.map((manifest) => manifest.version)).size).toBe(1);
  });

  // Publishing another package is a decision: make it here and in CONTRIBUTING.md.
  it('only the SDK is publishable; every other package is private', () => {
    expect(manifests.filter((manifest) => !manifest.private).map((manifest) => manifest.name)).toEqual([
      '@state-proxy/connector-core',
    ]);
  });

  it('the changelog has an Unreleased section, and its newest release is the packages’ version', () => {
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    const newest = /^## \[(\d[^\]]*)\] - \d{4}-\d{2}-\d{2}$/m.exec(changelog)?.[1];
    // Before the first release there is none; after it, set-version keeps them together.
    if (newest !== undefined) expect(newest).toBe(manifests[0]?.version);
  });
});

describe('scripts/set-version.mjs', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });

  /** A repository of two packages and a changelog; runs the script on it. */
  function run(version: string, unreleased = '### Added\n\n- a thing\n') {
    const root = mkdtempSync(join(tmpdir(), 'set-version-'));
    roots.push(root);
    for (const name of ['a', 'b']) {
      mkdirSync(join(root, 'packages', name), { recursive: true });
      writeFileSync(
        join(root, 'packages', name, 'package.json'),
        `{\n  "name": "${name}",\n  "version": "0.1.0",\n  "private": true\n}\n`,
      );
    }
    writeFileSync(join(root, 'CHANGELOG.md'), `# Changelog\n\n## [Unreleased]\n\n${unreleased}`);
    const result = spawnSync(
      process.execPath,
      [repoPath('scripts/set-version.mjs'), version, '--root', root],
      { encoding: 'utf8' },
    );
    const read = (path: string) => readFileSync(join(root, path), 'utf8');
    return { status: result.status, stderr: result.stderr, read };
  }

  it('sets every package and turns Unreleased into the version’s section', () => {
    const { status, read } = run('1.2.0');
    expect(status).toBe(0);
    expect(read('packages/a/package.json')).toBe(
      '{\n  "name": "a",\n  "version": "1.2.0",\n  "private": true\n}\n',
    );
    expect(JSON.parse(read('packages/b/package.json')).version).toBe('1.2.0');
    expect(read('CHANGELOG.md')).toMatch(
      /^# Changelog\n\n## \[Unreleased\]\n\n## \[1\.2\.0\] - \d{4}-\d{2}-\d{2}\n\n### Added\n\n- a thing\n$/,
    );
  });

  it('refuses what is not a version, and a release with nothing in the changelog, writing nothing', () => {
    expect(run('v1.2').status).toBe(2);
    const empty = run('1.2.0', '');
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/nothing is listed under "## \[Unreleased\]"/);
    expect(JSON.parse(empty.read('packages/a/package.json')).version).toBe('0.1.0');
  });
});
