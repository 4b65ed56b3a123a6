// The guide (this package's README.md) shows the example connector whole: its code blocks are
// the files themselves, so the guide cannot fall behind the code. The package files it gives are
// those of packages/connector-memory, a real package built and tested with them.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (relative: string) => readFileSync(new URL(relative, import.meta.url), 'utf8');
const blocks = (language: string) =>
  [...read('../../README.md').matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (match) => match[1],
  );

it.each(['variant.ts', 'connector.ts', 'main.ts', 'connector.test.ts'])(
  'README.md shows %s as it is',
  (file) => {
    expect(blocks('ts')).toContain(read(`./${file}`));
  },
);

it("README.md's package files are connector-memory's, <name> being memory", () => {
  const memory = (file: string) => read(`../../../connector-memory/${file}`);
  const [packageJson, tsconfig] = blocks('json').map((block) =>
    JSON.parse(block!.replaceAll('<name>', 'memory')),
  );
  expect(JSON.parse(memory('package.json'))).toMatchObject(packageJson);
  expect(tsconfig).toEqual(JSON.parse(memory('tsconfig.json')));
  expect(blocks('ts')).toContain(memory('tsup.config.ts'));
  expect(blocks('ts')).toContain(memory('vitest.config.ts'));
});
