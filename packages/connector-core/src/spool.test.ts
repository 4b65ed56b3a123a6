import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBudget } from './memory-budget.js';
import { removeStaleSpoolFiles, SPOOL_FILE_PREFIX, Spool } from './spool.js';

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

  it('reads a spilled body through the handle it wrote, never a file swapped in at its path', async () => {
    const data = randomBytes(5000);
    const spool = await Spool.fromStream(Readable.from([data]), { memoryBytes: 1000, dir });
    // Between the spill and the read, another file takes the spool file's name.
    const swapped = join(dir, 'swapped');
    await writeFile(swapped, 'not the body');
    await rename(swapped, spool.path!);
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

  it('a directory it cannot write a spool file in is an error that names it, the cause and the setting', async () => {
    const missing = join(dir, 'missing');
    const spilling = Spool.fromStream(Readable.from([randomBytes(3000)]), {
      memoryBytes: 1000,
      dir: missing,
    });
    await expect(spilling).rejects.toMatchObject({
      code: 'internal_error',
      message: expect.stringMatching(
        new RegExp(`^cannot spill the request body to a file in ${missing} \\(ENOENT\\): STATE_SPOOL_DIR`),
      ),
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('copies a body of known length into one buffer', async () => {
    const data = randomBytes(3000);
    const parts = [data.subarray(0, 1000), data.subarray(1000)];
    const spool = await Spool.fromStream(Readable.from(parts), { memoryBytes: 4000, dir }, 3000);
    expect(spool.inMemory).toBe(true);
    expect((await spool.buffer()).equals(data)).toBe(true);
    await expect(Spool.fromStream(Readable.from(parts), { memoryBytes: 4000, dir }, 2999)).rejects.toThrow(
      /more than the announced 2999 bytes/,
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

  it('keeps a body in memory only while the budget has room, and gives its share back on dispose', async () => {
    const budget = new MemoryBudget(1500, 1000);
    const first = await Spool.fromStream(
      Readable.from([randomBytes(1000)]),
      { memoryBytes: 4000, dir, budget },
      1000,
    );
    expect(first.inMemory).toBe(true);
    expect(budget.availableBytes).toBe(500);
    // Declared or not, a body the budget cannot hold goes to a file.
    const sized = await Spool.fromStream(
      Readable.from([randomBytes(1000)]),
      { memoryBytes: 4000, dir, budget },
      1000,
    );
    const chunked = await Spool.fromStream(Readable.from([randomBytes(400), randomBytes(400)]), {
      memoryBytes: 4000,
      dir,
      budget,
    });
    expect([sized.inMemory, chunked.inMemory]).toEqual([false, false]);
    expect(budget.availableBytes).toBe(500); // the chunked one gave back what it held before spilling
    await Promise.all([first.dispose(), sized.dispose(), chunked.dispose()]);
    expect(budget.availableBytes).toBe(1500);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reads a body bound for a file only once it holds a spill share, so the budget bounds how many are read at once', async () => {
    const budget = new MemoryBudget(8000, 5000);
    const hold = budget.tryReserve(7500)!;
    let read = 0;
    const source = Readable.from([randomBytes(3000)]).on('data', (chunk: Buffer) => {
      read += chunk.length;
    });
    source.pause();
    const spooling = Spool.fromStream(source, { memoryBytes: 0, dir, budget }, 3000);
    expect(budget.waitingCount).toBe(1); // its spill share: an eighth of the budget
    expect(read).toBe(0);
    hold.release();
    const spilled = await spooling;
    expect([spilled.inMemory, spilled.length, read]).toEqual([false, 3000, 3000]);
    expect(budget.availableBytes).toBe(8000); // the spill share goes back once the file is written
    await spilled.dispose();
    expect(await readdir(dir)).toEqual([]);
  });

  it('reads a spilled body into memory only once it holds a share for it', async () => {
    const budget = new MemoryBudget(1000, 1000);
    const data = randomBytes(800);
    const spilled = await Spool.fromStream(Readable.from([data]), { memoryBytes: 0, dir, budget }, 800);
    expect(budget.availableBytes).toBe(1000);
    expect((await spilled.buffer()).equals(data)).toBe(true);
    expect(budget.availableBytes).toBe(200);
    await spilled.dispose();
    expect(budget.availableBytes).toBe(1000);
  });
});

describe('removeStaleSpoolFiles', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spool-stale-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('removes the files of dead processes and of our own pid, and nothing else', async () => {
    const deadPid = 2 ** 22 + 1; // above the kernel's pid_max, so no such process
    const names = {
      dead: `${SPOOL_FILE_PREFIX}${deadPid}-aa`,
      ours: `${SPOOL_FILE_PREFIX}${process.pid}-bb`,
      live: `${SPOOL_FILE_PREFIX}1-cc`, // pid 1 always runs
      other: 'not-a-spool-file',
    };
    for (const name of Object.values(names)) await writeFile(join(dir, name), 'x');
    expect((await removeStaleSpoolFiles(dir)).sort()).toEqual([names.dead, names.ours].sort());
    expect((await readdir(dir)).sort()).toEqual([names.live, names.other].sort());
  });

  it('is quiet about a directory that does not exist', async () => {
    expect(await removeStaleSpoolFiles(join(dir, 'missing'))).toEqual([]);
  });
});
