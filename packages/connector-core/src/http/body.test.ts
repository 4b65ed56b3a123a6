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

  it('fails with TooLargeError once an over-limit body has ended, having dropped the rest', async () => {
    let passed = 0;
    const limit = new ByteLimit(100, 10_000);
    const result = pipeline(
      Readable.from([Buffer.alloc(60), Buffer.alloc(41), Buffer.alloc(1000)]),
      limit,
      async (source) => {
        for await (const chunk of source) passed += (chunk as Buffer).length;
      },
    );
    await expect(result).rejects.toBeInstanceOf(TooLargeError);
    expect(passed).toBeLessThanOrEqual(60); // never a byte past the limit
  });

  it('fails at once when the body goes on past what it drains', async () => {
    let pulled = 0;
    async function* endless() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.alloc(100);
      }
    }
    await expect(
      pipeline(endless(), new ByteLimit(100, 1000), async (source) => {
        for await (const _ of source);
      }),
    ).rejects.toBeInstanceOf(TooLargeError);
    expect(pulled).toBeLessThan(20);
  });
});
