/**
 * Request bodies: the size limit (413 before reading when Content-Length says so, or as soon as a
 * chunked body passes it), the stall timeout and the whole-body deadline (408 when the client stops
 * sending, or sends too slowly to ever finish), and the two shapes a connector receives, spooled or
 * live. A streaming variant's bodies never touch the disk: they are live, and the few core reads
 * whole (`/meta`) wait for their share of the memory budget instead of spilling.
 */
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { WriteBody } from '../connector.js';
import { BadRequestError, RequestTimeoutError, TooLargeError } from '../errors.js';
import type { MemoryBudget } from '../memory-budget.js';
import { readWhole } from '../read-whole.js';
import { countTransferred } from '../release-memory.js';
import { Spool, type SpoolOptions } from '../spool.js';

/**
 * Passes a body of up to `limit` bytes. Past the limit it passes nothing more and reads on, dropping
 * the bytes, until the body ends (then TooLargeError) or `drainBytes` more have come (TooLargeError
 * at once). A client that sends its whole body before it reads the reply, as most do, then reads
 * its 413: answered mid-body, a `Connection: close` request would have its socket closed under it.
 */
export class ByteLimit extends Transform {
  #seen = 0;

  constructor(
    readonly limit: number,
    readonly drainBytes = DRAIN_BYTES,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen <= this.limit) done(null, chunk);
    else if (this.#seen - this.limit > this.drainBytes) done(new TooLargeError(this.limit));
    else done();
  }

  override _flush(done: TransformCallback): void {
    done(this.#seen > this.limit ? new TooLargeError(this.limit) : null);
  }
}

/** How much of an over-limit body is read and dropped before it is answered anyway. */
export const DRAIN_BYTES = 8 * 1024 * 1024;

/** The client went away before the whole body arrived: nothing is written. */
export class ClientDisconnectedError extends BadRequestError {
  constructor() {
    super('client disconnected before the body was complete');
  }
}

function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  // Node's parser has already rejected a malformed Content-Length.
  return header === undefined ? undefined : Number(header);
}

const NOTHING_TO_DISARM = () => {};

/**
 * Fails a body whose client sends nothing for `idleTimeoutMs` while we wait for its bytes, or has
 * not sent all of it `timeoutMs` after we started reading it: `onStall` gets a RequestTimeoutError,
 * once. Node's socket timeout measures the silence (refreshed by every byte, no timer of ours per
 * chunk); a request whose unread bytes fill its buffer is waiting for us (a slow backend,
 * backpressure), not for the client, so the watch starts over. The deadline is one timer for the
 * whole body: a client sending a byte now and then is never silent for long. Returns the disarm,
 * which runs once: later, Node may have set the socket's keep-alive timeout, which must stay.
 */
function watchStall(
  req: IncomingMessage,
  { idleTimeoutMs, timeoutMs }: BodyTimeouts,
  onStall: (error: RequestTimeoutError) => void,
) {
  // Most bodies arrived with their headers: nothing to wait for, no timer to set.
  if (req.complete) return NOTHING_TO_DISARM;
  let armed = true;
  // The first of the two to fire disarms the other.
  const stall = (error: RequestTimeoutError) => {
    disarm();
    onStall(error);
  };
  const onTimeout = () => {
    if (req.readableLength >= req.readableHighWaterMark) req.socket.setTimeout(idleTimeoutMs);
    else stall(new RequestTimeoutError(idleTimeoutMs));
  };
  req.setTimeout(idleTimeoutMs, onTimeout);
  const deadline =
    timeoutMs > 0
      ? setTimeout(() => stall(new RequestTimeoutError(timeoutMs, 'whole body')), timeoutMs)
      : undefined;
  const disarm = () => {
    if (!armed) return;
    armed = false;
    clearTimeout(deadline);
    req.off('timeout', onTimeout);
    req.socket?.setTimeout(0);
  };
  return disarm;
}

/**
 * The request body as a stream that enforces the limit and the stall timeout, and fails if the
 * client disconnects. Always a stream of its own: failing it must not destroy the request, whose
 * socket still has to carry the answer.
 */
function limitedStream(req: IncomingMessage, maxBytes: number | undefined, timeouts: BodyTimeouts) {
  const source = req.pipe(new ByteLimit(maxBytes ?? Number.POSITIVE_INFINITY));
  const disarm = watchStall(req, timeouts, (error) => {
    // Still draining an over-limit body after its 413: nobody is left to answer.
    if (source.destroyed) req.socket.destroy();
    else source.destroy(error);
  });
  req.once('end', disarm);
  // Past what ByteLimit drains: the rest is read and dropped while the 413 goes out.
  source.once('error', (error) => {
    if (error instanceof TooLargeError) req.resume();
  });
  // pipe() does not forward errors; a disconnect must fail the consumer, not end the stream early.
  req.once('error', () => source.destroy(new ClientDisconnectedError()));
  req.once('aborted', () => source.destroy(new ClientDisconnectedError()));
  req.once('close', () => {
    disarm();
    if (!req.complete) source.destroy(new ClientDisconnectedError());
  });
  return source;
}

export interface BodyOptions {
  maxBodyBytes: number | undefined;
  /** A body whose client sends nothing for this long is answered 408 and nothing is written. */
  idleTimeoutMs: number;
  /** A body not whole this long after it is first read is answered 408 the same way; 0: no deadline. */
  timeoutMs: number;
  /** What all requests' body bytes in memory share (listings too); undefined: not accounted. */
  budget: MemoryBudget | undefined;
  /** How bodies read whole are kept (memory, else a file); undefined: never on disk (streaming). */
  spool: SpoolOptions | undefined;
}

type BodyTimeouts = Pick<BodyOptions, 'idleTimeoutMs' | 'timeoutMs'>;

/** Throws TooLargeError when Content-Length alone exceeds the limit, before any byte is read. */
export function checkDeclaredLength(req: IncomingMessage, maxBytes: number | undefined): number | undefined {
  const length = declaredLength(req);
  if (maxBytes !== undefined && length !== undefined && length > maxBytes) throw new TooLargeError(maxBytes);
  return length;
}

/** Reads the whole body into a Spool (memory, then a temp file). The caller disposes it. */
export function spoolRequestBody(
  req: IncomingMessage,
  options: BodyOptions & { spool: SpoolOptions },
): Promise<Spool> {
  return spoolBody(req, options.maxBodyBytes, options.spool, options);
}

/** The one way a request body is read whole: the size limit, then memory or a spool file. */
async function spoolBody(
  req: IncomingMessage,
  maxBytes: number | undefined,
  spool: SpoolOptions,
  timeouts: BodyTimeouts,
): Promise<Spool> {
  const length = checkDeclaredLength(req, maxBytes);
  if (length !== undefined) {
    // Most bodies: small, with a Content-Length, read straight into one buffer.
    const share = Spool.memoryShare(length, spool);
    if (share) {
      try {
        return Spool.ofBuffer(await readDeclaredBody(req, length, timeouts), share, spool);
      } catch (error) {
        share.release();
        throw error;
      }
    }
  }
  return Spool.fromStream(limitedStream(req, maxBytes, timeouts), spool, length);
}

/**
 * A body of a declared length within the limit. Node's parser delivers exactly Content-Length
 * bytes or fails the request, so nothing needs counting against the limit; plain listeners cost
 * far less than a pipe through ByteLimit and async iteration, per request.
 */
function readDeclaredBody(req: IncomingMessage, length: number, timeouts: BodyTimeouts): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const whole = Buffer.allocUnsafe(length);
    let filled = 0;
    const settle = (error?: Error) => {
      disarm();
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (error) reject(error);
      else resolve(whole);
    };
    const onData = (chunk: Buffer) => {
      countTransferred(chunk.length);
      chunk.copy(whole, filled);
      filled += chunk.length;
    };
    const onEnd = () => settle(filled === length ? undefined : new ClientDisconnectedError());
    // An error or a close before the end: the client went away mid-body.
    const onGone = () => settle(new ClientDisconnectedError());
    const disarm = watchStall(req, timeouts, settle);
    req.on('data', onData).once('end', onEnd).once('error', onGone).once('close', onGone);
  });
}

/**
 * Reads a small body whole, bounded by `maxBytes` whether it comes with Content-Length or
 * chunked: 413 before reading, or as soon as the bytes pass the limit. While read, it holds its
 * share of the budget like any spooled body (spilled to a file when the budget is busy; without a
 * spool, it waits for its share instead).
 */
export async function readSmallBody(
  req: IncomingMessage,
  maxBytes: number,
  options: BodyOptions,
): Promise<Buffer> {
  if (!options.spool) return readInMemory(req, maxBytes, options);
  const body = await spoolBody(req, maxBytes, { ...options.spool, memoryBytes: maxBytes }, options);
  try {
    // The share goes back at once: the caller parses the bytes and drops them in the same turn.
    return await body.buffer();
  } finally {
    await body.dispose();
  }
}

/** A small body read whole once the budget grants its share (the limit's, when chunked). */
async function readInMemory(req: IncomingMessage, maxBytes: number, options: BodyOptions): Promise<Buffer> {
  const length = checkDeclaredLength(req, maxBytes);
  const share = await options.budget?.reserve(length ?? maxBytes);
  try {
    if (length !== undefined) return await readDeclaredBody(req, length, options);
    return await readAll(limitedStream(req, maxBytes, options), undefined);
  } finally {
    share?.release();
  }
}

/** All of `source` in one buffer: one allocation when the length is known. */
async function readAll(source: AsyncIterable<Buffer>, length: number | undefined): Promise<Buffer> {
  if (length !== undefined) return readWhole(source, length);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of source) {
    countTransferred(chunk.length);
    chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks, total);
}

/**
 * The live body for a streaming connector. buffer() reads it whole into memory, never to a file:
 * the connector takes the budget share for it first.
 */
export function liveRequestBody(req: IncomingMessage, options: BodyOptions): WriteBody {
  const length = checkDeclaredLength(req, options.maxBodyBytes);
  const stream = limitedStream(req, options.maxBodyBytes, options);
  return {
    length,
    stream: () => stream,
    buffer: () => readAll(stream, length),
  };
}
