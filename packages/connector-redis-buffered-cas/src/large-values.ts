/**
 * Values larger than one chunk move between Redis and us a chunk at a time, so a request holds
 * at most a couple of chunks in memory whatever the value's size (Redis holds the value):
 * - a write streams, as the body arrives, into a staging key beside the value (SET, then APPENDs,
 *   with a TTL), and becomes the key's value in one atomic step once the whole body has arrived
 *   (scripts.ts `commitUpload`), under the same condition as a small write;
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

/** The shortest TTL of a staging key: what a crash leaves behind is gone after about this long. */
export const MIN_STAGING_TTL_MS = 60_000;

/**
 * How long a staging key outlives its last chunk. The next chunk comes within the body idle
 * timeout (else the body fails with 408) plus half of it (sendInChunks then flushes a partial
 * chunk), and the commit within its calls' deadlines (`commitDeadlineMs`, a call sized for the value).
 */
export function stagingTtlMs(bodyIdleTimeoutMs: number, commitDeadlineMs: number): number {
  return Math.max(MIN_STAGING_TTL_MS, 2 * (bodyIdleTimeoutMs + commitDeadlineMs));
}

/**
 * What sendInChunks made of a body: its SHA-1 (the new value's ETag), and the body itself when it
 * ended within its first chunk and nothing was sent (it is written with one command instead).
 */
export interface Sent {
  etag: ETag;
  whole?: Buffer;
}

/**
 * Sends `source` in chunks of CHUNK_BYTES through `send`, each awaited before more is read, so one
 * buffer is reused and a slow Redis slows the client down. A chunk also goes out partly filled once
 * `flushAfterMs` have passed since the last send: a slow client's staging key, whose TTL runs from
 * one chunk to the next, stays alive.
 */
export async function sendInChunks(
  source: AsyncIterable<Buffer | string>,
  send: (chunk: Buffer, offset: number) => Promise<void>,
  flushAfterMs = Number.POSITIVE_INFINITY,
): Promise<Sent> {
  const hash = createHash('sha1');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  let offset = 0;
  let lastSent = Date.now();
  const flush = async () => {
    countTransferred(filled);
    await send(chunk.subarray(0, filled), offset);
    offset += filled;
    filled = 0;
    lastSent = Date.now();
  };
  for await (const raw of source) {
    const piece = typeof raw === 'string' ? Buffer.from(raw) : raw;
    hash.update(piece);
    let at = 0;
    while (at < piece.length) {
      // A full chunk goes out only once more follows: a body of exactly one chunk is sent whole.
      if (filled === CHUNK_BYTES) await flush();
      const copied = piece.copy(chunk, filled, at);
      filled += copied;
      at += copied;
    }
    if (filled > 0 && Date.now() - lastSent >= flushAfterMs) await flush();
  }
  const etag = hash.digest('hex');
  if (offset === 0) return { etag, whole: chunk.subarray(0, filled) };
  if (filled > 0) await flush();
  return { etag };
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
