/** `/meta/<key>`: extended attributes. Names travel without the `user.asya.` prefix. */
import type { IncomingMessage } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Connector } from '../connector.js';
import { BadRequestError } from '../errors.js';
import { type BodyOptions, readSmallBody } from './body.js';
import { keyOf, queryOf } from './keys-routes.js';

type Env = { Bindings: HttpBindings };

const ATTRIBUTE_PREFIX = 'user.asya.';
/** An attribute value is small; this bounds what one request can make us hold, chunked or not. */
export const MAX_META_BODY_BYTES = 64 * 1024;

function attributeName(raw: string | null): string | undefined {
  if (raw === null) return undefined;
  const name = raw.startsWith(ATTRIBUTE_PREFIX) ? raw.slice(ATTRIBUTE_PREFIX.length) : raw;
  if (name === '') throw new BadRequestError('attr is empty');
  return name;
}

async function readValue(req: IncomingMessage, body: BodyOptions): Promise<string> {
  const text = (await readSmallBody(req, MAX_META_BODY_BYTES, body)).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestError('body must be JSON like {"value": "..."}');
  }
  const value = (parsed as { value?: unknown } | null)?.value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new BadRequestError('body must be JSON like {"value": "..."} with a string value');
}

export function addMetaRoutes(
  app: Hono<Env>,
  connector: Connector,
  body: BodyOptions,
  maxKeyBytes: number,
): void {
  app.get('/meta/_', async (c) => {
    const key = keyOf(c, '/meta/', maxKeyBytes);
    const name = attributeName(queryOf(c).get('attr'));
    if (name === undefined) return c.json({ attrs: await connector.listAttributes(key) });
    return c.json({ attr: name, value: await connector.getAttribute(key, name) });
  });

  app.put('/meta/_', async (c) => {
    const key = keyOf(c, '/meta/', maxKeyBytes);
    const name = attributeName(queryOf(c).get('attr'));
    if (name === undefined) throw new BadRequestError('attr query parameter is required');
    const value = await readValue(c.env.incoming, body);
    await connector.setAttribute(key, name, value);
    return new Response(null, { status: 204 });
  });
}
