/**
 * The HTTP half of a framework floor: the floor's four calls and /healthz as hono routes on
 * `node:http` through @hono/node-server, used as connector-core uses them (a GET body and a PUT
 * answer written straight to the Node response, HEAD answered with a Response through hono's GET
 * route, a listing through c.json), and nothing else. Its cost over the plain floor (http.ts) is
 * the framework's own, which every connector pays.
 */
import { createServer } from 'node:http';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { type FloorBackend, keyOf, readBody, socketPathOrExit } from './http.js';

const KEYS = '/keys/';
const NOT_FOUND = { 'Content-Length': '0' };

/** Serves `backend` on CONNECTOR_SOCKET through hono; an unexpected failure answers 500. */
export function serveWithHono(backend: FloorBackend): void {
  const socketPath = socketPathOrExit();
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.get('/healthz', (c) => c.json({ status: 'ready' }));
  app.get(KEYS, async (c) => {
    const query = new URLSearchParams(c.env.incoming.url?.split('?')[1] ?? '');
    return c.json(await backend.list(query.get('prefix') ?? '', query.get('delimiter') ?? '/'));
  });
  // hono serves HEAD through the GET route, as it does the connectors'.
  app.get(`${KEYS}*`, async (c) => {
    const key = keyOf(c.env.incoming.url ?? '');
    if (c.req.method === 'HEAD') {
      const stat = await backend.head(key);
      if (!stat) return new Response(null, { status: 404, headers: NOT_FOUND });
      const headers: Record<string, string> = { 'Content-Length': String(stat.length), 'X-Is-File': 'true' };
      if (stat.etag) headers.ETag = stat.etag;
      return new Response(null, { status: 204, headers });
    }
    if ((await backend.get(key, c.env.outgoing)) === undefined) return c.body(null, 404);
    return RESPONSE_ALREADY_SENT;
  });
  app.put(`${KEYS}*`, async (c) => {
    const etag = await backend.put(keyOf(c.env.incoming.url ?? ''), await readBody(c.env.incoming));
    c.env.outgoing.writeHead(204, { ETag: etag }).end();
    return RESPONSE_ALREADY_SENT;
  });
  app.onError((error, c) => c.text(String(error), 500));
  createServer(getRequestListener(app.fetch, { hostname: 'localhost' })).listen(socketPath);
}
