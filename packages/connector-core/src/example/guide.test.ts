// The guide (this package's README.md) shows the example connector whole: its code blocks are
// the files themselves, so the guide cannot fall behind the code.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const read = (relative: string) => readFileSync(new URL(relative, import.meta.url), 'utf8');

it.each(['connector.ts', 'main.ts', 'connector.test.ts'])('README.md shows %s as it is', (file) => {
  const blocks = [...read('../../README.md').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  expect(blocks).toContain(read(`./${file}`));
});
