/** `/meta/<key>`: extended attributes. Names travel without the `user.asya.` prefix. */
import type { IncomingMessage } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Connector } from '../connector.js';
import { BadRequestError, KeyNotFoundError, UnsupportedAttributeError } from '../errors.js';
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
  const attributes = attributesOf(connector);
  app.get('/meta/_', async (c) => {
    const key = keyOf(c, '/meta/', maxKeyBytes);
    const name = attributeName(queryOf(c).get('attr'));
    if (name === undefined) return c.json({ attrs: await attributes.list(key) });
    return c.json({ attr: name, value: await attributes.get(key, name) });
  });

  app.put('/meta/_', async (c) => {
    const key = keyOf(c, '/meta/', maxKeyBytes);
    const name = attributeName(queryOf(c).get('attr'));
    if (name === undefined) throw new BadRequestError('attr query parameter is required');
    const value = await readValue(c.env.incoming, body);
    await attributes.set(key, name, value);
    return new Response(null, { status: 204 });
  });
}

/**
 * The connector's extended attributes, or, for one that has none, the answers of a key without
 * any: 404 when the key is missing (one stat), else no names and 400 for every attribute.
 */
function attributesOf(connector: Connector) {
  const { listAttributes, getAttribute, setAttribute } = connector;
  if (listAttributes && getAttribute && setAttribute) {
    return {
      list: (key: string) => listAttributes.call(connector, key),
      get: (key: string, name: string) => getAttribute.call(connector, key, name),
      set: (key: string, name: string, value: string) => setAttribute.call(connector, key, name, value),
    };
  }
  const exists = async (key: string) => {
    if ((await connector.stat(key)) === undefined) throw new KeyNotFoundError(key);
  };
  return {
    list: async (key: string): Promise<string[]> => {
      await exists(key);
      return [];
    },
    get: async (key: string, name: string): Promise<string> => {
      await exists(key);
      throw new UnsupportedAttributeError(name);
    },
    set: async (key: string, name: string, _value: string): Promise<void> => {
      await exists(key);
      throw new UnsupportedAttributeError(name);
    },
  };
}
