import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from './spool.js';

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('Spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spool-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a body up to the threshold in memory', async () => {
    const data = randomBytes(1000);
    const spool = await Spool.fromStream(Readable.from([data.subarray(0, 400), data.subarray(400)]), {
      memoryBytes: 1000,
      dir,
    });
    expect(spool.inMemory).toBe(true);
    expect(spool.length).toBe(1000);
    expect((await spool.buffer()).equals(data)).toBe(true);
    expect((await collect(spool.stream())).equals(data)).toBe(true);
    expect(await readdir(dir)).toEqual([]);
  });

  it('spills a larger body to a temp file and removes it on dispose', async () => {
    const data = randomBytes(5000);
    const parts = [data.subarray(0, 600), data.subarray(600, 3000), data.subarray(3000)];
    const spool = await Spool.fromStream(Readable.from(parts), { memoryBytes: 1000, dir });
    expect(spool.inMemory).toBe(false);
    expect(spool.length).toBe(5000);
    expect(await readdir(dir)).toHaveLength(1);
    expect((await collect(spool.stream())).equals(data)).toBe(true);
    expect((await spool.buffer()).equals(data)).toBe(true);
    await spool.dispose();
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves no file behind when the source fails midway', async () => {
    async function* failing() {
      yield randomBytes(3000);
      throw new Error('client went away');
    }
    await expect(Spool.fromStream(failing(), { memoryBytes: 1000, dir })).rejects.toThrow('client went away');
    expect(await readdir(dir)).toEqual([]);
  });

  it('copies a body of known length into one buffer', async () => {
    const data = randomBytes(3000);
    const parts = [data.subarray(0, 1000), data.subarray(1000)];
    const spool = await Spool.fromStream(Readable.from(parts), { memoryBytes: 4000, dir }, 3000);
    expect(spool.inMemory).toBe(true);
    expect((await spool.buffer()).equals(data)).toBe(true);
    await expect(Spool.fromStream(Readable.from(parts), { memoryBytes: 4000, dir }, 2999)).rejects.toThrow(
      /longer/,
    );
    await expect(Spool.fromStream(Readable.from(parts), { memoryBytes: 4000, dir }, 3001)).rejects.toThrow(
      /ended after/,
    );
  });

  it('handles an empty body', async () => {
    const spool = await Spool.fromStream(Readable.from([]), { memoryBytes: 1000, dir });
    expect(spool.length).toBe(0);
    expect((await spool.buffer()).length).toBe(0);
  });
});
