/**
 * Large bodies for streaming tests and benchmarks, generated on the fly and checked by SHA-256,
 * never held whole in memory. Node built-ins only, so `node bench/*.ts` can import this file too.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';

const CHUNK = 1024 * 1024;

export interface GeneratedBody {
  stream: Readable;
  /** The SHA-256 of everything the stream produced (call after it ended). */
  sha256(): string;
}

/** `total` random bytes, produced as the consumer reads them (with backpressure). */
export function generatedBody(total: number): GeneratedBody {
  const hash = createHash('sha256');
  let produced = 0;
  const stream = new Readable({
    highWaterMark: CHUNK,
    read() {
      if (produced >= total) {
        this.push(null);
        return;
      }
      const chunk = randomBytes(Math.min(CHUNK, total - produced));
      produced += chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.copy().digest('hex') };
}

/** Sends a chunked PUT of `body` (no Content-Length) and resolves with the status. */
export function chunkedPut(
  socketPath: string,
  path: string,
  body: Readable,
): Promise<{ status: number; etag: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method: 'PUT', path, headers: { 'transfer-encoding': 'chunked' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            etag: res.headers.etag,
            text: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    body.pipe(req);
  });
}

/** GETs `path` and hashes the body as it streams in. */
export function hashedGet(
  socketPath: string,
  path: string,
): Promise<{ status: number; contentLength: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'GET', path }, (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentLength: Number(res.headers['content-length']),
          bytes,
          sha256: hash.digest('hex'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
