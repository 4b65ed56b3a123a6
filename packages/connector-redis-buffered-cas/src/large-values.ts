/**
 * Values larger than one chunk move between Redis and us a chunk at a time, so a request holds
 * at most a couple of chunks in memory whatever the value's size (Redis holds the value):
 * - a write goes to a temporary upload key (SET, then APPENDs) and becomes the key's value in one
 *   atomic step at the end (scripts.ts `commitUpload`), under the same condition as a small write;
 * - a read takes the length and SHA-1 first, then GETRANGEs. A value replaced mid-read would mix
 *   two versions, so the bytes are hashed as they go and the last chunk is only sent when the
 *   digest matches the ETag announced: a torn read never completes (the client sees a short body).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { countTransferred, type ETag, type Reservation } from '@state-proxy/connector-core';
import { sameSlotSuffix } from './slots.js';

/** The unit of chunked I/O: small enough to bound memory, large enough for few round trips. */
export const CHUNK_BYTES = 256 * 1024;
/**
 * What a chunked transfer of `length` bytes reserves from the memory budget: the chunk on the
 * wire and the next one, or the one chunk a value of up to a chunk is.
 */
export function transferShare(length: number): number {
  return length <= CHUNK_BYTES ? length : 2 * CHUNK_BYTES;
}
/** Values up to this size are written with one command and read in one reply. */
export const SINGLE_WRITE_BYTES = CHUNK_BYTES;
/**
 * Reads up to this size come back whole in the first reply (one round trip for typical state);
 * they are not taken from the budget, so this stays small.
 */
export const INLINE_READ_BYTES = 16 * 1024;

/**
 * A key of its own for each upload, next to the key it will replace: it starts with that key (so
 * an ACL key pattern that allows the key allows it too), and the NUL after it makes it a name the
 * protocol cannot write, so listings skip it. It is in the key's hash slot, whatever the key (see
 * slots.ts), so that the commit script, which names both, runs on a Redis Cluster.
 */
export function uploadKeyFor(storageKey: string): string {
  const name = `${storageKey}\u0000upload-${randomBytes(8).toString('hex')}-`;
  return name + sameSlotSuffix(storageKey, name);
}

/**
 * Sends `source` in chunks of CHUNK_BYTES through `send` (each awaited before the next is read,
 * so one buffer is reused) and returns the SHA-1 of all of it: the new value's ETag.
 */
export async function sendInChunks(
  source: AsyncIterable<Buffer | string>,
  send: (chunk: Buffer, offset: number) => Promise<void>,
): Promise<ETag> {
  const hash = createHash('sha1');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  let offset = 0;
  const flush = async () => {
    countTransferred(filled);
    await send(chunk.subarray(0, filled), offset);
    offset += filled;
    filled = 0;
  };
  for await (const raw of source) {
    const piece = typeof raw === 'string' ? Buffer.from(raw) : raw;
    hash.update(piece);
    let at = 0;
    while (at < piece.length) {
      const copied = piece.copy(chunk, filled, at);
      filled += copied;
      at += copied;
      if (filled === CHUNK_BYTES) await flush();
    }
  }
  if (filled > 0 || offset === 0) await flush();
  return hash.digest('hex');
}

/** A read that found the value replaced under it: the response is cut short, never wrong. */
export class ValueChangedError extends Error {
  constructor() {
    super('the value changed while it was being read');
  }
}

/**
 * The value as a stream of GETRANGE chunks, each fetched when the socket wants more. Holds its
 * budget share until it ends or is destroyed (client gone, Redis failure).
 */
export class RangeReader extends Readable {
  readonly #hash = createHash('sha1');
  #offset = 0;

  constructor(
    private readonly fetchRange: (start: number, endInclusive: number) => Promise<Buffer>,
    readonly length: number,
    readonly etag: ETag,
    private readonly share: Reservation,
  ) {
    super();
  }

  override _read(): void {
    const start = this.#offset;
    const end = Math.min(start + CHUNK_BYTES, this.length);
    this.fetchRange(start, end - 1).then(
      (chunk) => {
        if (chunk.length !== end - start) return this.destroy(new ValueChangedError());
        countTransferred(chunk.length);
        this.#hash.update(chunk);
        this.#offset = end;
        if (end < this.length) return void this.push(chunk);
        if (this.#hash.digest('hex') !== this.etag) return this.destroy(new ValueChangedError());
        this.push(chunk);
        this.push(null);
      },
      (error: Error) => this.destroy(error),
    );
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.share.release();
    done(error);
  }
}
