/** The chunking itself, without Redis: what goes out in which pieces, and what a torn read does. */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { MemoryBudget } from '@state-proxy/connector-core';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, RangeReader, sendInChunks, ValueChangedError } from './large-values.js';

const sha1 = (data: Buffer) => createHash('sha1').update(data).digest('hex');

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('sendInChunks', () => {
  it('sends whole chunks at growing offsets whatever the source pieces, and returns the SHA-1', async () => {
    const value = randomBytes(2 * CHUNK_BYTES + 5);
    const sent: { offset: number; data: Buffer }[] = [];
    const pieces = [
      value.subarray(0, 7),
      value.subarray(7, CHUNK_BYTES + 100),
      value.subarray(CHUNK_BYTES + 100),
    ];
    const result = await sendInChunks(Readable.from(pieces), async (chunk, offset) => {
      sent.push({ offset, data: Buffer.from(chunk) }); // the chunk buffer is reused: copy it
    });
    expect(sent.map((s) => [s.offset, s.data.length])).toEqual([
      [0, CHUNK_BYTES],
      [CHUNK_BYTES, CHUNK_BYTES],
      [2 * CHUNK_BYTES, 5],
    ]);
    expect(Buffer.concat(sent.map((s) => s.data)).equals(value)).toBe(true);
    expect(result).toEqual({ etag: sha1(value) });
  });

  it('sends nothing for a body that ends within its first chunk, exactly one chunk included: it comes back whole', async () => {
    for (const size of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES]) {
      const value = randomBytes(size);
      let sends = 0;
      const result = await sendInChunks(
        Readable.from([value.subarray(0, 3), value.subarray(3)]),
        async () => {
          sends++;
        },
      );
      expect({ size, sends, etag: result.etag }).toEqual({ size, sends: 0, etag: sha1(value) });
      expect(result.whole?.equals(value)).toBe(true);
    }
  });

  it('sends a partly filled chunk once flushAfterMs have passed since the last send', async () => {
    const pieces = [Buffer.alloc(10, 1), Buffer.alloc(20, 2), Buffer.alloc(30, 3)];
    const sent: number[][] = [];
    // 0 ms: every piece finds the last send old enough.
    const result = await sendInChunks(
      Readable.from(pieces),
      async (chunk, offset) => {
        sent.push([offset, chunk.length]);
      },
      0,
    );
    expect(sent).toEqual([
      [0, 10],
      [10, 20],
      [30, 30],
    ]);
    expect(result).toEqual({ etag: sha1(Buffer.concat(pieces)) });
  });

  it('fails as its source fails, having sent what came before', async () => {
    const source = Readable.from(
      (async function* () {
        yield Buffer.alloc(CHUNK_BYTES + 1);
        throw new Error('client gone');
      })(),
    );
    const sent: number[] = [];
    await expect(
      sendInChunks(source, async (chunk) => {
        sent.push(chunk.length);
      }),
    ).rejects.toThrow('client gone');
    expect(sent).toEqual([CHUNK_BYTES]);
  });
});

describe('RangeReader', () => {
  const value = randomBytes(3 * CHUNK_BYTES + 11);

  it('streams the value range by range and gives its share back at the end', async () => {
    const budget = new MemoryBudget(2 * CHUNK_BYTES, 1000);
    const share = budget.tryReserve(2 * CHUNK_BYTES)!;
    const ranges: [number, number][] = [];
    const reader = new RangeReader(
      async (start, end) => {
        ranges.push([start, end]);
        return value.subarray(start, end + 1);
      },
      value.length,
      sha1(value),
      share,
    );
    expect((await collect(reader)).equals(value)).toBe(true);
    expect(ranges).toEqual([
      [0, CHUNK_BYTES - 1],
      [CHUNK_BYTES, 2 * CHUNK_BYTES - 1],
      [2 * CHUNK_BYTES, 3 * CHUNK_BYTES - 1],
      [3 * CHUNK_BYTES, value.length - 1],
    ]);
    expect(budget.availableBytes).toBe(2 * CHUNK_BYTES);
  });

  it('fails before its last chunk when the value changed under it (same length, other bytes)', async () => {
    const budget = new MemoryBudget(2 * CHUNK_BYTES, 1000);
    const replaced = Buffer.from(value);
    replaced[CHUNK_BYTES] = replaced[CHUNK_BYTES]! ^ 0xff; // in the second chunk, read after the change
    let calls = 0;
    const reader = new RangeReader(
      async (start, end) => (calls++ === 0 ? value : replaced).subarray(start, end + 1),
      value.length,
      sha1(value),
      budget.tryReserve(2 * CHUNK_BYTES)!,
    );
    const received: Buffer[] = [];
    reader.on('data', (chunk: Buffer) => received.push(chunk));
    await expect(
      new Promise((resolve, reject) => reader.on('end', resolve).on('error', reject)),
    ).rejects.toBeInstanceOf(ValueChangedError);
    // Three of four chunks went out; the client sees a short body, never a whole wrong one.
    expect(Buffer.concat(received).length).toBe(3 * CHUNK_BYTES);
    expect(budget.availableBytes).toBe(2 * CHUNK_BYTES);
  });

  it('fails when the value got shorter, and when a fetch fails', async () => {
    const budget = new MemoryBudget(2 * CHUNK_BYTES, 1000);
    const shorter = new RangeReader(
      async (start, end) => value.subarray(start, Math.min(end + 1, CHUNK_BYTES + 3)),
      value.length,
      sha1(value),
      budget.tryReserve(CHUNK_BYTES)!,
    );
    await expect(collect(shorter)).rejects.toBeInstanceOf(ValueChangedError);
    const failing = new RangeReader(
      async () => {
        throw new Error('redis went away');
      },
      value.length,
      sha1(value),
      budget.tryReserve(CHUNK_BYTES)!,
    );
    await expect(collect(failing)).rejects.toThrow('redis went away');
    expect(budget.availableBytes).toBe(2 * CHUNK_BYTES);
  });
});
