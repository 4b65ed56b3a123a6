/**
 * What is Redis's own about the `ttl` attribute (the conformance suite covers its protocol): it
 * is a Redis expiry on the key's storage name.
 */
import { ConnectorClient, type SpawnedConnector } from '@state-proxy/connector-core/testing';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { directRedis, startRedisConnector, uniquePrefix } from './testing/helpers.js';

let redis: RedisBackend;
let connector: SpawnedConnector;
let client: ConnectorClient;
const prefix = uniquePrefix('ttl');

beforeAll(async () => {
  redis = await redisBackend();
  connector = await startRedisConnector(redis.url, { STATE_PREFIX: prefix });
  client = new ConnectorClient(connector.socketPath);
});
afterAll(async () => {
  client?.close();
  await connector?.stop();
  await redis?.stop();
});

it('a ttl set through /meta is a Redis expiry on {prefix}:{key}', async () => {
  await client.put('ttl/key', 'x');
  expect((await client.setMeta('ttl/key', 'ttl', '300')).status).toBe(204);
  const direct = await directRedis(redis.url);
  try {
    const seconds = await direct.ttl(`${prefix}:ttl/key`);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(300);
  } finally {
    direct.destroy();
  }
});
