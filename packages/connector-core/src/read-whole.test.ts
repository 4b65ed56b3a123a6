import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LengthMismatchError, readWhole } from './read-whole.js';

describe('readWhole', () => {
  it('copies the chunks of a stream of the announced length into one buffer', async () => {
    const chunks = [Buffer.from('ab'), Buffer.from('cde'), Buffer.from('f')];
    expect((await readWhole(Readable.from(chunks), 6)).toString()).toBe('abcdef');
  });

  it('refuses a stream that carries more or fewer bytes than announced', async () => {
    await expect(readWhole(Readable.from([Buffer.from('abc')]), 2)).rejects.toBeInstanceOf(
      LengthMismatchError,
    );
    await expect(readWhole(Readable.from([Buffer.from('abc')]), 4)).rejects.toThrow(
      /ended after 3 of the announced 4/,
    );
  });
});
