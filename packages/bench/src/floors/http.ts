/**
 * The HTTP half of a floor server: plain `node:http` on CONNECTOR_SOCKET, the four calls of the
 * runtime scenario and /healthz, and nothing else (no framework, logging, metrics, key validation,
 * limits or conditional writes). A connector is compared with this plus its backend client.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface KeyListing {
  keys: string[];
  prefixes: string[];
}

/** What a floor does against its backend; `undefined`: no such key (404). */
export interface FloorBackend {
  get(key: string, res: ServerResponse): Promise<undefined | true>;
  put(key: string, body: Buffer): Promise<string>;
  /** The value's length and ETag. */
  head(key: string): Promise<{ length: number; etag?: string } | undefined>;
  list(prefix: string, delimiter: string): Promise<KeyListing>;
}

/** Splits the names found under `prefix` into keys and the next level's prefixes, as /keys/ lists. */
export function toListing(names: Iterable<string>, prefix: string, delimiter: string): KeyListing {
  const keys: string[] = [];
  const prefixes = new Set<string>();
  for (const name of names) {
    const at = delimiter ? name.indexOf(delimiter, prefix.length) : -1;
    if (at === -1) keys.push(name);
    else prefixes.add(name.slice(0, at + delimiter.length));
  }
  return { keys: keys.sort(), prefixes: [...prefixes].sort() };
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const notFound = (res: ServerResponse) => res.writeHead(404).end();

/** The key of a `/keys/<key>` target (query, if any, left out), decoded as the runtime encodes it. */
export function keyOf(target: string): string {
  const query = target.indexOf('?');
  return decodeURIComponent(target.slice('/keys/'.length, query === -1 ? undefined : query));
}

async function handle(backend: FloorBackend, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  if (url === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ready"}');
    return;
  }
  if (!url.startsWith('/keys/')) return void notFound(res);
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  if (path === '/keys/') {
    const params = new URLSearchParams(query === -1 ? '' : url.slice(query + 1));
    const listing = await backend.list(params.get('prefix') ?? '', params.get('delimiter') ?? '/');
    const json = JSON.stringify(listing);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
    res.end(json);
    return;
  }
  const key = keyOf(path);
  switch (req.method) {
    case 'GET':
      if ((await backend.get(key, res)) === undefined) notFound(res);
      return;
    case 'HEAD': {
      const stat = await backend.head(key);
      if (!stat) return void notFound(res);
      const headers: Record<string, string> = { 'Content-Length': String(stat.length), 'X-Is-File': 'true' };
      if (stat.etag) headers.ETag = stat.etag;
      res.writeHead(204, headers).end();
      return;
    }
    case 'PUT': {
      const etag = await backend.put(key, await readBody(req));
      res.writeHead(204, { ETag: etag }).end();
      return;
    }
    default:
      res.writeHead(405).end();
  }
}

/** Serves `backend` on CONNECTOR_SOCKET; an unexpected failure answers 500 (or drops a started reply). */
export function serve(backend: FloorBackend): void {
  const socketPath = socketPathOrExit();
  const server = createServer((req, res) => {
    handle(backend, req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(500).end(String(error));
    });
  });
  server.listen(socketPath);
}

/** CONNECTOR_SOCKET, where a floor listens; without it the floor exits at once. */
export function socketPathOrExit(): string {
  const socketPath = process.env.CONNECTOR_SOCKET;
  if (!socketPath) {
    process.stderr.write('CONNECTOR_SOCKET is required\n');
    process.exit(1);
  }
  return socketPath;
}
