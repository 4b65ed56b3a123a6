/**
 * HTTP over the connector's socket for the container scenario. Not ConnectorClient: that one
 * buffers each response whole and has no timeout, while here a GET may be 512 MiB (the bench must
 * not hold it: it counts and hashes it as it streams by) and a connector thrashing at its limit
 * must not hang a phase forever.
 */

import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { encodeKey } from '@state-proxy/connector-core/testing';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  /** Body bytes received. */
  bytes: number;
  /** CRC-32 of the body, when asked for (`hash`). */
  crc: number;
  /** Its first bytes as text: the error message of a JSON error reply. */
  head: string;
}

const HEAD_BYTES = 300;

export interface SendOptions {
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** A Buffer is sent with Content-Length; a Readable chunked unless the headers give a length. */
  body?: Buffer | Readable;
  timeoutMs: number;
  hash?: boolean;
}

/** A request that got no complete reply: `code` is the socket error's (ECONNRESET...) or ours. */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const transportError = (error: unknown): TransportError =>
  error instanceof TransportError
    ? error
    : new TransportError(
        (error as NodeJS.ErrnoException).code ?? 'error',
        error instanceof Error ? error.message : String(error),
      );

export const keyPath = (key: string): string => `/keys/${encodeKey(key)}`;
export const listPath = (prefix: string): string =>
  `/keys/?${new URLSearchParams({ prefix, delimiter: '/' })}`;
export const metaPath = (key: string, attr: string): string =>
  `/meta/${encodeKey(key)}?${new URLSearchParams({ attr })}`;

export class SocketHttp {
  readonly #agent = new Agent({ keepAlive: true });

  constructor(readonly socketPath: string) {}

  send(options: SendOptions): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const headers = { ...options.headers };
      const { body } = options;
      if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
      let settled = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(transportError(error));
      };
      const req = request(
        {
          socketPath: this.socketPath,
          agent: this.#agent,
          method: options.method,
          path: options.path,
          headers,
        },
        (res) => {
          let bytes = 0;
          let crc = 0;
          let head = '';
          res.on('data', (chunk: Buffer) => {
            if (bytes < HEAD_BYTES) head += chunk.subarray(0, HEAD_BYTES - bytes).toString();
            bytes += chunk.length;
            if (options.hash) crc = crc32(chunk, crc);
          });
          res.on('error', fail);
          res.on('close', () => {
            if (!res.complete) fail(new TransportError('aborted', 'connection closed mid-response'));
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, crc, head });
          });
        },
      );
      const timer = setTimeout(
        () => fail(new TransportError('timeout', `no complete reply within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      req.on('error', fail);
      if (body === undefined || Buffer.isBuffer(body)) req.end(body);
      else body.on('error', fail).pipe(req);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
