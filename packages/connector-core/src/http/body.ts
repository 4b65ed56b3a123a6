/**
 * Request bodies: the size limit (413 before reading when Content-Length says so, or as soon as a
 * chunked body passes it) and the two shapes a connector receives, spooled or live.
 */
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { WriteBody } from '../connector.js';
import { BadRequestError, TooLargeError } from '../errors.js';
import { Spool, type SpoolOptions } from '../spool.js';

/** Errors a stream once more than `limit` bytes have passed through it. */
export class ByteLimit extends Transform {
  #seen = 0;

  constructor(readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.limit) done(new TooLargeError(this.limit));
    else done(null, chunk);
  }
}

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

/** The request body as a stream that enforces the limit and fails if the client disconnects. */
function limitedStream(req: IncomingMessage, maxBytes: number | undefined) {
  const source = maxBytes === undefined ? req : req.pipe(new ByteLimit(maxBytes));
  if (source !== req) {
    // Over the limit: the rest of the body is read and dropped, so the client can finish sending
    // and then read its 413 instead of failing to write into a connection nobody reads.
    source.once('error', (error) => {
      if (error instanceof TooLargeError) req.resume();
    });
    // pipe() does not forward errors; a disconnect must fail the consumer, not end the stream early.
    req.once('error', () => source.destroy(new ClientDisconnectedError()));
    req.once('aborted', () => source.destroy(new ClientDisconnectedError()));
  }
  req.once('close', () => {
    if (!req.complete) source.destroy(new ClientDisconnectedError());
  });
  return source;
}

export interface BodyOptions {
  maxBodyBytes: number | undefined;
  spool: SpoolOptions;
}

/** Throws TooLargeError when Content-Length alone exceeds the limit, before any byte is read. */
export function checkDeclaredLength(req: IncomingMessage, maxBytes: number | undefined): number | undefined {
  const length = declaredLength(req);
  if (maxBytes !== undefined && length !== undefined && length > maxBytes) throw new TooLargeError(maxBytes);
  return length;
}

/** Reads the whole body into a Spool (memory, then a temp file). The caller disposes it. */
export async function spoolRequestBody(req: IncomingMessage, options: BodyOptions): Promise<Spool> {
  const length = checkDeclaredLength(req, options.maxBodyBytes);
  return Spool.fromStream(limitedStream(req, options.maxBodyBytes), options.spool, length);
}

/**
 * Reads a small body whole, bounded by `maxBytes` whether it comes with Content-Length or
 * chunked: 413 before reading, or as soon as the bytes pass the limit.
 */
export async function readSmallBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const length = checkDeclaredLength(req, maxBytes);
  return (await Spool.fromStream(limitedStream(req, maxBytes), { memoryBytes: maxBytes }, length)).buffer();
}

/** The live body for a streaming connector. */
export function liveRequestBody(req: IncomingMessage, options: BodyOptions): WriteBody {
  const length = checkDeclaredLength(req, options.maxBodyBytes);
  const stream = limitedStream(req, options.maxBodyBytes);
  return {
    length,
    stream: () => stream,
    // The whole body in memory by definition: never spilled, one buffer when the length is known.
    buffer: async () =>
      (await Spool.fromStream(stream, { memoryBytes: Number.POSITIVE_INFINITY }, length)).buffer(),
  };
}
