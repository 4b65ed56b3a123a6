/**
 * A small client for the connector protocol over a Unix socket, for tests, benchmarks and tools.
 * Keys are percent-encoded per segment (the server decodes them), so any valid key travels safely.
 */
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import type { Readable } from 'node:stream';

export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  method: string;
  /** The request target, sent as is (already encoded). */
  path: string;
  headers?: Record<string, string>;
  /** A Readable without a content-length header is sent chunked. */
  body?: Buffer | string | Readable;
}

export interface PutOptions {
  ifMatch?: string;
  ifNoneMatch?: '*';
}

export function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export class ConnectorClient {
  readonly #agent: Agent;

  constructor(
    readonly socketPath: string,
    options: { keepAlive?: boolean; maxSockets?: number } = {},
  ) {
    this.#agent = new Agent({
      keepAlive: options.keepAlive ?? false,
      maxSockets: options.maxSockets ?? Infinity,
    });
  }

  request(options: RequestOptions): Promise<ClientResponse> {
    return new Promise((resolve, reject) => {
      const headers = { ...options.headers };
      const { body } = options;
      if ((typeof body === 'string' || Buffer.isBuffer(body)) && headers['content-length'] === undefined) {
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const req = request(
        {
          socketPath: this.socketPath,
          agent: this.#agent,
          method: options.method,
          path: options.path,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      req.on('error', reject);
      if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
      else body.on('error', (error) => req.destroy(error)).pipe(req);
    });
  }

  get(key: string): Promise<ClientResponse> {
    return this.request({ method: 'GET', path: `/keys/${encodeKey(key)}` });
  }

  put(key: string, body: Buffer | string | Readable, options: PutOptions = {}): Promise<ClientResponse> {
    const headers: Record<string, string> = {};
    if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
    if (options.ifNoneMatch !== undefined) headers['if-none-match'] = options.ifNoneMatch;
    return this.request({ method: 'PUT', path: `/keys/${encodeKey(key)}`, headers, body });
  }

  head(key: string): Promise<ClientResponse> {
    return this.request({ method: 'HEAD', path: `/keys/${encodeKey(key)}` });
  }

  delete(key: string): Promise<ClientResponse> {
    return this.request({ method: 'DELETE', path: `/keys/${encodeKey(key)}` });
  }

  /** Lists `prefix`; `delimiter` '' lists recursively. Resolves to the parsed listing. */
  async list(prefix = '', delimiter?: string): Promise<{ keys: string[]; prefixes: string[] }> {
    const query = new URLSearchParams({ prefix });
    if (delimiter !== undefined) query.set('delimiter', delimiter);
    const res = await this.request({ method: 'GET', path: `/keys/?${query}` });
    if (res.status !== 200) throw new Error(`list failed: ${res.status} ${res.body.toString()}`);
    return JSON.parse(res.body.toString()) as { keys: string[]; prefixes: string[] };
  }

  getMeta(key: string, attr?: string): Promise<ClientResponse> {
    const query = attr === undefined ? '' : `?${new URLSearchParams({ attr })}`;
    return this.request({ method: 'GET', path: `/meta/${encodeKey(key)}${query}` });
  }

  setMeta(key: string, attr: string, value: string): Promise<ClientResponse> {
    return this.request({
      method: 'PUT',
      path: `/meta/${encodeKey(key)}?${new URLSearchParams({ attr })}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value }),
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
