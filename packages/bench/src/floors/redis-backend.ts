/**
 * The Redis floor's backend half: node-redis and nothing else, served by redis.ts (`node:http`)
 * or redis-hono.ts (hono). The client is constructed as connector-redis-buffered-cas does it (the
 * bare RedisClient of @redis/client, commands through `sendCommand`, blob replies as Buffers), so
 * the difference to the connector is the connector's own code. Same env: REDIS_URL, STATE_PREFIX (keys are `<prefix>:<key>`), CONNECTOR_SOCKET.
 * GET → GET, PUT → SET, HEAD → STRLEN (EXISTS only when 0), LIST → SCAN MATCH prefix* COUNT 1000.
 */
import { RESP_TYPES, RedisClient } from '@redis/client';
import { type FloorBackend, toListing } from './http.js';

const BINARY = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };
const SCAN_COUNT = '1000';
/** SCAN steps per listing at most (each visits ~1000 slots of the keyspace). */
const MAX_SCAN_STEPS = 100_000;

const namespace = process.env.STATE_PREFIX ? `${process.env.STATE_PREFIX}:` : '';
// No command timeout, as the connector sets it (it keeps deadlines of its own): node-redis's default
// arms an AbortSignal.timeout per command, which is not the cheapest use of the client.
const redis = new RedisClient({
  url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  commandOptions: { timeout: 0 },
});
redis.on('error', () => {}); // failed commands reject; without a listener the process would crash
redis.connect().catch(() => {}); // as the connector: serve at once, commands wait for the connection
let writes = 0;

const escapeGlob = (literal: string) => literal.replace(/[*?[\]\\]/g, '\\$&');

export const redisBackend: FloorBackend = {
  async get(key, res) {
    const value = await redis.sendCommand<Buffer | null>(['GET', namespace + key], BINARY);
    if (value === null) return undefined;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': value.length });
    res.end(value);
    return true;
  },
  async put(key, body) {
    await redis.sendCommand(['SET', namespace + key, body]);
    // Not a version (the floor has no compare-and-set): the protocol's ETag header, for free.
    return `"${process.pid}-${++writes}"`;
  },
  async head(key) {
    const length = await redis.sendCommand<number>(['STRLEN', namespace + key]);
    if (length === 0 && (await redis.sendCommand<number>(['EXISTS', namespace + key])) === 0)
      return undefined;
    return { length };
  },
  async list(prefix, delimiter) {
    const pattern = `${escapeGlob(namespace + prefix)}*`;
    const names: string[] = [];
    let cursor = '0';
    for (let step = 0; step < MAX_SCAN_STEPS; step++) {
      const [next, keys] = await redis.sendCommand<[string, string[]]>([
        'SCAN',
        cursor,
        'MATCH',
        pattern,
        'COUNT',
        SCAN_COUNT,
      ]);
      for (const name of keys) names.push(name.slice(namespace.length));
      cursor = next;
      if (cursor === '0') break;
    }
    return toListing(names, prefix, delimiter);
  },
};
