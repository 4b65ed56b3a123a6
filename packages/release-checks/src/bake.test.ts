/**
 * images/docker-bake.hcl: one target per variant package. The file is plain on purpose (no
 * functions; a variant's args on one line, which scripts/build-images reads too), so a few
 * regular expressions read it; the release workflow gives it the tags (workflows.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { imageVariants, repoPath } from './repo.js';

const bake = readFileSync(repoPath('images/docker-bake.hcl'), 'utf8');
const variants = imageVariants();

/** The body of each `target "name" {` block, up to the `}` that starts a line. */
const targets = new Map(
  [...bake.matchAll(/^target "([^"]+)" \{\n([\s\S]*?)^\}/gm)].map((m) => [m[1]!, m[2]!]),
);
/** The value of `name = ...` in `body`, when it is on one line. */
const attribute = (body: string, name: string) => new RegExp(`^ *${name} *= *(.+)$`, 'm').exec(body)?.[1];
/** The `KEY = "value"` pairs of a one-line `args = { ... }`. */
const args = (body: string) =>
  Object.fromEntries(
    [...(attribute(body, 'args') ?? '').matchAll(/(\w+) *= *"([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );

describe('docker-bake.hcl', () => {
  it('finds the variant packages (the memory reference connector is not shipped)', () => {
    expect(variants).toContain('redis-buffered-cas');
    expect(variants).not.toContain('memory');
    expect(variants).not.toContain('core');
  });

  it('builds every variant package by default, and nothing else', () => {
    const group = /^group "default" \{\n *targets *= *(\[.*\])$/m.exec(bake)?.[1];
    expect(JSON.parse(group ?? '[]').sort()).toEqual(variants);
  });

  it('builds from images/Dockerfile for amd64 and arm64, in _common', () => {
    const common = targets.get('_common') ?? '';
    expect(attribute(common, 'context')).toBe('"."');
    expect(attribute(common, 'dockerfile')).toBe('"images/Dockerfile"');
    expect(JSON.parse(attribute(common, 'platforms') ?? '[]')).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('leaves the docker-metadata-action target empty, for the release workflow to fill', () => {
    expect(
      targets
        .get('docker-metadata-action')
        ?.replace(/^ *#.*\n/gm, '')
        .trim(),
    ).toBe('');
  });

  it.each(variants)('target %s builds its own package, tagged by the release workflow', (variant) => {
    const body = targets.get(variant) ?? '';
    expect(attribute(body, 'inherits')).toBe('["_common", "docker-metadata-action"]');
    expect(args(body).VARIANT).toBe(variant);
    expect(attribute(body, 'tags')).toBeUndefined(); // its own would replace the inherited ones
    expect(existsSync(repoPath(`packages/connector-${variant}/package.json`))).toBe(true);
  });
});

describe('images/Dockerfile', () => {
  const dockerfile = readFileSync(repoPath('images/Dockerfile'), 'utf8');

  it('takes every build arg the bake file passes', () => {
    const passed = [...bake.matchAll(/^ *args *= *\{([^}]*)\}/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/(\w+) *=/g)].map((key) => key[1]!),
    );
    expect(passed).toEqual(expect.arrayContaining(['VARIANT', 'VERSION', 'REVISION', 'SOURCE']));
    for (const arg of passed) expect(dockerfile).toMatch(new RegExp(`^ARG ${arg}(=|$)`, 'm'));
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
