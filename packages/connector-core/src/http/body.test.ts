import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { TooLargeError } from '../errors.js';
import { ByteLimit } from './body.js';

async function drain(chunks: Buffer[], limit: number): Promise<number> {
  let total = 0;
  await pipeline(Readable.from(chunks), new ByteLimit(limit), async (source) => {
    for await (const chunk of source) total += (chunk as Buffer).length;
  });
  return total;
}

describe('ByteLimit', () => {
  it('passes a body of exactly the limit', async () => {
    expect(await drain([Buffer.alloc(60), Buffer.alloc(40)], 100)).toBe(100);
  });

  it('fails with TooLargeError as soon as the limit is passed', async () => {
    await expect(drain([Buffer.alloc(60), Buffer.alloc(41), Buffer.alloc(1000)], 100)).rejects.toBeInstanceOf(
      TooLargeError,
    );
  });
});
