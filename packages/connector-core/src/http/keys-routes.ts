/** `/keys/...`: read, write, stat, delete a key, and list a prefix. */

import { pipeline } from 'node:stream/promises';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import type { Connector, VariantDeclaration } from '../connector.js';
import { quoteETag } from '../etags.js';
import { decodeRawPath, parseQuery, validateKey, validatePrefix } from '../keys.js';
import { ListingMemory } from '../listing.js';
import { countTransferred } from '../release-memory.js';
import { type BodyOptions, liveRequestBody, spoolRequestBody } from './body.js';
import { conditionFromHeaders } from './conditions.js';
import { targetOf } from './target.js';

type Env = { Bindings: HttpBindings };

/** The validated key of a `/keys/<key>` or `/meta/<key>` request, from the raw target. */
export function keyOf(c: Context<Env>, route: '/keys/' | '/meta/', maxKeyBytes: number): string {
  return validateKey(decodeRawPath(targetOf(c.env.incoming).path.slice(route.length)), maxKeyBytes);
}

export function queryOf(c: Context<Env>): URLSearchParams {
  return parseQuery(targetOf(c.env.incoming).query);
}

export function addKeyRoutes(
  app: Hono<Env>,
  connector: Connector,
  writeMode: VariantDeclaration['writeMode'],
  body: BodyOptions,
  log: Logger,
  maxKeyBytes: number,
): void {
  // Hono dispatches HEAD to the GET routes, so each GET route answers HEAD itself.
  app.get('/keys/', async (c) => {
    // The mount root is always a directory.
    if (c.req.method === 'HEAD') return headAnswer(204, DIRECTORY);
    const query = queryOf(c);
    const prefix = validatePrefix(query.get('prefix') ?? '', maxKeyBytes);
    const delimiter = query.get('delimiter') ?? '/';
    const memory = body.budget && new ListingMemory(body.budget, prefix);
    try {
      // Sorted and without duplicates already: the Listing contract.
      const { keys, prefixes } = await connector.list({ prefix, delimiter, ...(memory && { memory }) });
      return c.json({ keys, prefixes }); // serialised here, before the share is given back
    } finally {
      memory?.release();
    }
  });

  const headOfKey = async (key: string) => {
    const stat = await connector.stat(key);
    if (stat) {
      return headAnswer(204, {
        'Content-Length': String(stat.length),
        'X-Is-File': 'true',
        ETag: quoteETag(stat.etag),
      });
    }
    const children = await connector.list({ prefix: `${key}/`, delimiter: '/', limit: 1 });
    if (children.keys.length + children.prefixes.length > 0) return headAnswer(204, DIRECTORY);
    return headAnswer(404, NO_CONTENT);
  };

  app.get('/keys/_', async (c) => {
    const key = keyOf(c, '/keys/', maxKeyBytes);
    if (c.req.method === 'HEAD') return headOfKey(key);
    const result = await connector.read(key);
    const headers = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(result.length),
      ETag: quoteETag(result.etag),
    };
    // Written straight to the Node response: a Buffer in one write, a backend stream with
    // backpressure. If the backend fails midway the connection is destroyed, so the client sees
    // a short body (Content-Length unmet) rather than a wrong one.
    const out = c.env.outgoing;
    out.writeHead(200, headers);
    if (Buffer.isBuffer(result.body)) {
      countTransferred(result.body.length); // a stream's producer counts its own chunks
      out.end(result.body);
    } else {
      await pipeline(result.body, out).catch((error: unknown) => {
        out.destroy();
        log.warn({ key, err: error }, 'read stream failed after the response started');
      });
    }
    return RESPONSE_ALREADY_SENT;
  });

  app.put('/keys/_', async (c) => {
    const key = keyOf(c, '/keys/', maxKeyBytes);
    const req = c.env.incoming;
    // Node's own header object: hono's c.req.header() would build a Headers copy per request.
    const condition = conditionFromHeaders({
      ifNoneMatch: req.headers['if-none-match'],
      ifMatch: req.headers['if-match'],
    });
    let etag: string;
    if (writeMode === 'streaming' || !body.spool) {
      ({ etag } = await connector.write(key, liveRequestBody(req, body), condition));
    } else {
      const spool = await spoolRequestBody(req, { ...body, spool: body.spool });
      try {
        ({ etag } = await connector.write(key, spool, condition));
      } finally {
        await spool.dispose();
      }
    }
    return answer(c, 204, { ETag: quoteETag(etag) });
  });

  app.delete('/keys/_', async (c) => {
    await connector.delete(keyOf(c, '/keys/', maxKeyBytes));
    return answer(c, 204);
  });
}

const DIRECTORY = { 'Content-Length': '0', 'X-Is-File': 'false' };
/**
 * A HEAD answer without a length leaves Node's HTTP client unsure where it ends, so it drops the
 * connection instead of reusing it: every answer to HEAD says its length, 0 when there is nothing.
 */
export const NO_CONTENT = { 'Content-Length': '0' };

/**
 * A body-less answer to PUT or DELETE, written straight to the Node response: no Response object
 * for the adapter to build and translate back.
 */
function answer(c: Context<Env>, status: number, headers?: Record<string, string>): Response {
  c.env.outgoing.writeHead(status, headers).end();
  return RESPONSE_ALREADY_SENT;
}

/**
 * An answer to HEAD. Always a Response: hono serves HEAD through the GET route and wraps what it
 * returns in a new Response, which the adapter then writes; a response already written by the
 * route would be written twice and the connection destroyed.
 */
function headAnswer(status: number, headers?: Record<string, string>): Response {
  return new Response(null, { status, headers });
}
