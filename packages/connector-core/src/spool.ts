/**
 * A complete request body: in memory up to a threshold (4 MiB by default) while the shared memory
 * budget has room, else spilled to a temp file so a large body never sits in the heap. A spilled
 * body is read back through the handle that wrote it, never by opening its path again: another
 * file put at that path is not read. Always disposed by the caller: the handle closed, the file
 * removed, the budget given back.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { WriteBody } from './connector.js';
import { ConnectorError } from './errors.js';
import type { MemoryBudget, Reservation } from './memory-budget.js';
import { readWhole } from './read-whole.js';
import { countTransferred } from './release-memory.js';

export interface SpoolOptions {
  /** Bodies up to this many bytes stay in memory. */
  memoryBytes: number;
  /** Where spilled bodies go; the OS temp dir by default. */
  dir?: string | undefined;
  /** Shared by all requests: a body stays in memory only while the budget has room for it. */
  budget?: MemoryBudget | undefined;
}

export class Spool implements WriteBody {
  private constructor(
    readonly length: number,
    private readonly chunks: Buffer[] | undefined,
    readonly path: string | undefined,
    /** The spool file, open from its creation until dispose (undefined: the body is in memory). */
    private readonly file: FileHandle | undefined,
    /** The budget shares held for the bytes in memory, given back on dispose. */
    private readonly held: Reservation[],
    private readonly budget: MemoryBudget | undefined,
  ) {}

  /**
   * Reads `source` to its end. If reading fails, nothing is left behind and the error is rethrown.
   * `declaredLength` (Content-Length) lets a body that fits in memory be copied once into one
   * buffer of the right size, instead of collected and concatenated.
   */
  static async fromStream(
    source: AsyncIterable<Buffer | string>,
    options: SpoolOptions,
    declaredLength?: number,
  ): Promise<Spool> {
    const { budget } = options;
    if (declaredLength !== undefined) {
      const share = Spool.memoryShare(declaredLength, options);
      if (share) {
        try {
          return await Spool.#intoOneBuffer(source, declaredLength, share, budget);
        } catch (error) {
          share.release();
          throw error;
        }
      }
    }
    // Without room for a declared length, the body goes to the file from its first byte.
    const memoryBytes = declaredLength === undefined ? options.memoryBytes : 0;
    const chunks: Buffer[] = [];
    const held: Reservation[] = [];
    let length = 0;
    let file: FileHandle | undefined;
    let path: string | undefined;
    let spilling: Reservation | undefined;
    try {
      if (memoryBytes === 0) spilling = await Spool.#spillShare(budget);
      for await (const raw of source) {
        const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
        countTransferred(chunk.length);
        length += chunk.length;
        if (file) {
          await onSpoolFile(options.dir, file.write(chunk));
          continue;
        }
        const share = length > memoryBytes ? undefined : budget ? budget.tryReserve(chunk.length) : NO_SHARE;
        if (share) {
          chunks.push(chunk);
          held.push(share);
        } else {
          releaseAll(held); // what the chunks held goes towards the spill share
          spilling ??= await Spool.#spillShare(budget);
          path = spoolPath(options.dir);
          file = await onSpoolFile(options.dir, open(path, 'wx+', 0o600));
          for (const piece of chunks) await onSpoolFile(options.dir, file.write(piece));
          await onSpoolFile(options.dir, file.write(chunk));
          chunks.length = 0;
        }
      }
      return new Spool(length, file ? undefined : chunks, path, file, held, budget);
    } catch (error) {
      releaseAll(held);
      await file?.close().catch(() => {});
      if (path) await rm(path, { force: true });
      throw error;
    } finally {
      spilling?.release();
    }
  }

  /**
   * A body on its way to a file still passes through memory (socket chunks, pending file writes):
   * it waits for a small share first, so the budget, not the number of clients, bounds how many
   * bodies are read at once. The others wait unread, their bytes in the kernel's socket buffers.
   */
  static #spillShare(budget: MemoryBudget | undefined): Promise<Reservation> {
    if (!budget) return Promise.resolve(NO_SHARE);
    // At most an eighth of a small budget, so that a few bodies always spill side by side.
    return budget.reserve(Math.min(SPILL_SHARE_BYTES, Math.floor(budget.totalBytes / 8)));
  }

  /** The budget share a body of `length` bytes needs to stay in memory; undefined: it goes to a file. */
  static memoryShare(length: number, options: SpoolOptions): Reservation | undefined {
    if (length > options.memoryBytes) return undefined;
    return options.budget ? options.budget.tryReserve(length) : NO_SHARE;
  }

  /** A body already read whole into memory, holding `share` (from memoryShare) until disposed. */
  static ofBuffer(body: Buffer, share: Reservation, options: SpoolOptions): Spool {
    return new Spool(body.length, [body], undefined, undefined, [share], options.budget);
  }

  static async #intoOneBuffer(
    source: AsyncIterable<Buffer | string>,
    length: number,
    share: Reservation,
    budget: MemoryBudget | undefined,
  ): Promise<Spool> {
    return new Spool(length, [await readWhole(source, length)], undefined, undefined, [share], budget);
  }

  get inMemory(): boolean {
    return this.file === undefined;
  }

  /** Each call reads from the start (positional reads): a retried write streams the body again. */
  stream(): Readable {
    return this.file
      ? this.file.createReadStream({ start: 0, autoClose: false })
      : Readable.from(this.chunks ?? [], { objectMode: false });
  }

  /** A spilled body waits for its share of the budget before it is read into memory. */
  async buffer(): Promise<Buffer> {
    if (this.file) {
      if (this.budget) this.held.push(await this.budget.reserve(this.length));
      const whole = Buffer.allocUnsafe(this.length);
      let filled = 0;
      while (filled < this.length) {
        const { bytesRead } = await this.file.read(whole, filled, this.length - filled, filled);
        if (bytesRead === 0)
          throw new Error(`spool file ${this.path} ended after ${filled} of ${this.length} bytes`);
        filled += bytesRead;
      }
      return whole;
    }
    const chunks = this.chunks ?? [];
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.length);
  }

  async dispose(): Promise<void> {
    releaseAll(this.held);
    await this.file?.close();
    if (this.path) await rm(this.path, { force: true });
  }
}

/** What one body being spilled to a file holds in memory at most: a socket read, stream buffers, a file write. */
export const SPILL_SHARE_BYTES = 256 * 1024;

/** Without a budget, memory is not accounted: every share is granted. */
const NO_SHARE: Reservation = { bytes: 0, release: () => {} };

function releaseAll(held: Reservation[]): void {
  for (const share of held) share.release();
  held.length = 0;
}

/**
 * A spool file that cannot be created or written is the directory's fault (read-only, missing,
 * full), not a bug: the error says which directory, why, and what to do about it.
 */
function onSpoolFile<T>(dir: string | undefined, work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConnectorError(
      'internal_error',
      `cannot spill the request body to a file in ${dir ?? tmpdir()} (${code}): STATE_SPOOL_DIR ` +
        '(default: the OS temp dir) must be a writable directory with room for the largest bodies ' +
        'in flight; with a read-only root filesystem, mount a volume there (an emptyDir)',
      { cause: error },
    );
  });
}

/** Spool files carry our pid, so a restarted connector knows which ones are stale (see removeStaleSpoolFiles). */
export const SPOOL_FILE_PREFIX = 'state-proxy-spool-';

function spoolPath(dir: string | undefined): string {
  return join(dir ?? tmpdir(), `${SPOOL_FILE_PREFIX}${process.pid}-${randomBytes(8).toString('hex')}`);
}

/**
 * Removes spool files a previous run of this connector left behind (killed mid-request): those of
 * a process that no longer exists, or that had our pid (a restarted container's pid 1). Files of
 * live processes sharing the directory are left alone. Called once at process start.
 */
export async function removeStaleSpoolFiles(dir: string | undefined): Promise<string[]> {
  const where = dir ?? tmpdir();
  const names = await readdir(where).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(SPOOL_FILE_PREFIX)) continue;
    const pid = Number(name.slice(SPOOL_FILE_PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || (pid !== process.pid && isAlive(pid))) continue;
    await rm(join(where, name), { force: true }).then(
      () => removed.push(name),
      () => {},
    );
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
