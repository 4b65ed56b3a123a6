/** Key mapping and listing over SCAN: glob characters, prefix isolation, `{prefix}:{key}`. */
import { ConnectorClient, type SpawnedConnector } from '@state-proxy/connector-core/testing';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeGlob } from './connector.js';
import { directRedis, startRedisConnector, uniquePrefix } from './testing/helpers.js';

let redis: RedisBackend;
let direct: Awaited<ReturnType<typeof directRedis>>;
beforeAll(async () => {
  redis = await redisBackend();
  direct = await directRedis(redis.url);
});
afterAll(async () => {
  direct?.destroy();
  await redis?.stop();
});

describe('escapeGlob', () => {
  it('escapes every Redis glob character and nothing else', () => {
    expect(escapeGlob('a*b?c[d]e\\f-g^h')).toBe('a\\*b\\?c\\[d\\]e\\\\f-g^h');
  });
});

describe('listing keys with glob characters', () => {
  let connector: SpawnedConnector;
  let client: ConnectorClient;
  const keys = ['g/a*b', 'g/a?b', 'g/[x]', 'g/back\\slash', 'g/aXb', 'g/abc', 'g/x', 'g/a*/deep'];
  beforeAll(async () => {
    connector = await startRedisConnector(redis.url);
    client = new ConnectorClient(connector.socketPath);
    for (const key of keys) expect((await client.put(key, key)).status).toBe(204);
  });
  afterAll(async () => {
    client?.close();
    await connector?.stop();
  });

  it('lists keys containing * ? [ ] \\ and reads them back', async () => {
    const listing = await client.list('g/');
    expect(listing.keys).toEqual(['g/[x]', 'g/a*b', 'g/a?b', 'g/aXb', 'g/abc', 'g/back\\slash', 'g/x']);
    expect(listing.prefixes).toEqual(['g/a*/']);
    for (const key of keys) expect((await client.get(key)).body.toString()).toBe(key);
  });

  it('a prefix with glob characters matches literally, never as a pattern', async () => {
    expect(await client.list('g/a*')).toEqual({ keys: ['g/a*b'], prefixes: ['g/a*/'] });
    expect(await client.list('g/a?')).toEqual({ keys: ['g/a?b'], prefixes: [] });
    expect(await client.list('g/[x')).toEqual({ keys: ['g/[x]'], prefixes: [] });
    expect(await client.list('g/back\\')).toEqual({ keys: ['g/back\\slash'], prefixes: [] });
    expect(await client.list('g?')).toEqual({ keys: [], prefixes: [] });
    expect(await client.list('*')).toEqual({ keys: [], prefixes: [] });
  });

  it('an empty delimiter lists everything under the prefix recursively', async () => {
    expect((await client.list('g/a*', '')).keys).toEqual(['g/a*/deep', 'g/a*b']);
  });

  it('HEAD on a virtual directory whose name has glob characters', async () => {
    const head = await client.head('g/a*');
    expect(head.status).toBe(204);
    expect(head.headers['x-is-file']).toBe('false');
    expect((await client.head('g/a?')).status).toBe(404);
  });
});

describe('namespaces', () => {
  it('stores values as plain Redis strings at {STATE_PREFIX}:{key}', async () => {
    const prefix = uniquePrefix('mapping');
    const connector = await startRedisConnector(redis.url, { STATE_PREFIX: prefix });
    const client = new ConnectorClient(connector.socketPath);
    try {
      expect((await client.put('dir/file.bin', 'stored bytes')).status).toBe(204);
      expect(await direct.type(`${prefix}:dir/file.bin`)).toBe('string');
      expect((await direct.get(`${prefix}:dir/file.bin`))?.toString()).toBe('stored bytes');
      // And the other way: what another Redis client writes there, the connector reads.
      await direct.set(`${prefix}:dir/external`, 'from redis-cli');
      expect((await client.get('dir/external')).body.toString()).toBe('from redis-cli');
    } finally {
      client.close();
      await connector.stop();
    }
  });

  it('two connectors with different STATE_PREFIX on one Redis never see each other', async () => {
    const [p1, p2] = [uniquePrefix('iso'), uniquePrefix('iso')];
    const [a, b] = await Promise.all([
      startRedisConnector(redis.url, { STATE_PREFIX: p1 }),
      startRedisConnector(redis.url, { STATE_PREFIX: p2 }),
    ]);
    const [ca, cb] = [new ConnectorClient(a.socketPath), new ConnectorClient(b.socketPath)];
    try {
      expect((await ca.put('shared/name', 'from a')).status).toBe(204);
      expect((await ca.put('only-a/file', 'a')).status).toBe(204);
      expect((await cb.get('shared/name')).status).toBe(404);
      expect((await cb.head('only-a')).status).toBe(404);
      expect(await cb.list('', '')).toEqual({ keys: [], prefixes: [] });
      expect((await cb.put('shared/name', 'from b')).status).toBe(204);
      expect((await ca.get('shared/name')).body.toString()).toBe('from a');
      expect((await cb.get('shared/name')).body.toString()).toBe('from b');
      expect((await ca.list('', '')).keys).toEqual(['only-a/file', 'shared/name']);
      expect((await cb.list('', '')).keys).toEqual(['shared/name']);
      expect((await cb.delete('only-a/file')).status).toBe(404);
      expect((await ca.get('only-a/file')).status).toBe(200);
    } finally {
      ca.close();
      cb.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a STATE_PREFIX with glob characters lists only its own keys', async () => {
    const base = uniquePrefix('glob');
    const [a, b] = await Promise.all([
      startRedisConnector(redis.url, { STATE_PREFIX: `${base}*` }),
      startRedisConnector(redis.url, { STATE_PREFIX: `${base}x` }),
    ]);
    const [ca, cb] = [new ConnectorClient(a.socketPath), new ConnectorClient(b.socketPath)];
    try {
      await ca.put('k-a', 'a');
      await cb.put('k-b', 'b');
      expect((await ca.list('', '')).keys).toEqual(['k-a']);
      expect((await cb.list('', '')).keys).toEqual(['k-b']);
    } finally {
      ca.close();
      cb.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
