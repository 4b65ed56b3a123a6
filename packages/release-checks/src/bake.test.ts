/** images/docker-bake.hcl: one target per variant package, tagged for ghcr without editing the file. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readBakeFile } from './bake.js';
import { imageVariants, repoPath } from './repo.js';

const bakeFile = repoPath('images/docker-bake.hcl');
const variants = imageVariants();
const release = {
  REGISTRY: 'ghcr.io/example-owner',
  VERSION: '1.4.2',
  REVISION: '0123456789abcdef0123456789abcdef01234567',
  SOURCE: 'https://github.com/example-owner/state-proxy',
};
/** ghcr.io/<owner>/asya-state-proxy-<variant>:<tag>, owner and tag as the registries allow them. */
const GHCR_TAG =
  /^ghcr\.io\/[a-z0-9][a-z0-9-]*\/asya-state-proxy-([a-z0-9-]+):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;

describe('docker-bake.hcl', () => {
  it('finds the variant packages (the memory reference connector is not shipped)', () => {
    expect(variants).toContain('redis-buffered-cas');
    expect(variants).not.toContain('memory');
    expect(variants).not.toContain('core');
  });

  it('builds every variant package by default, and nothing else', () => {
    const bake = readBakeFile(bakeFile, release);
    expect([...(bake.groups.default ?? [])].sort()).toEqual(variants);
  });

  describe.each(variants)('target %s', (variant) => {
    const target = () => readBakeFile(bakeFile, release).targets[variant];

    it('is tagged <version>, <major>.<minor> and latest on ghcr for a release', () => {
      const image = `ghcr.io/example-owner/asya-state-proxy-${variant}`;
      expect(target()?.tags).toEqual([`${image}:1.4.2`, `${image}:1.4`, `${image}:latest`]);
      for (const tag of target()?.tags ?? []) expect(GHCR_TAG.exec(tag)?.[1]).toBe(variant);
    });

    it('is tagged with its version only for a pre-release, so that latest is always a release', () => {
      const prerelease = readBakeFile(bakeFile, { ...release, VERSION: '1.5.0-rc.1' }).targets[variant];
      expect(prerelease?.tags).toEqual([`ghcr.io/example-owner/asya-state-proxy-${variant}:1.5.0-rc.1`]);
    });

    it('is a local image without a registry by default', () => {
      expect(readBakeFile(bakeFile).targets[variant]?.tags).toEqual([`asya-state-proxy-${variant}:dev`]);
    });

    it('builds its own package for amd64 and arm64 and hands the label values to the Dockerfile', () => {
      expect(target()).toMatchObject({
        context: '.',
        dockerfile: 'images/Dockerfile',
        platforms: ['linux/amd64', 'linux/arm64'],
        args: { VARIANT: variant, VERSION: '1.4.2', REVISION: release.REVISION, SOURCE: release.SOURCE },
      });
      expect(existsSync(repoPath(`packages/connector-${variant}/package.json`))).toBe(true);
    });
  });
});

describe('images/Dockerfile', () => {
  const dockerfile = readFileSync(repoPath('images/Dockerfile'), 'utf8');

  it('takes every build arg the bake file passes', () => {
    const bake = readBakeFile(bakeFile, release);
    const args = new Set(Object.values(bake.targets).flatMap((target) => Object.keys(target.args ?? {})));
    for (const arg of args) expect(dockerfile).toMatch(new RegExp(`^ARG ${arg}(=|$)`, 'm'));
  });

  it('labels the image with source, revision, version, licenses and title', () => {
    for (const label of ['source', 'revision', 'version', 'licenses', 'title'])
      expect(dockerfile).toMatch(new RegExp(`org\\.opencontainers\\.image\\.${label}=`));
  });

  it("states its default CONNECTOR_SOCKET as the README's 'Running a connector' says it", () => {
    const socket = /^ENV CONNECTOR_SOCKET=(\S+)$/m.exec(dockerfile)?.[1];
    expect(socket).toBeDefined();
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    const running = readme.slice(
      readme.indexOf('## Running a connector'),
      readme.indexOf('## Configuration'),
    );
    expect(running).toContain(`\`${socket}\``);
  });
});
