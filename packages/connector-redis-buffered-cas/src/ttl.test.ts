/** The `ttl` attribute against one Redis server: the shared suite (testing/ttl-suite.ts), and where it lands. */
import { ConnectorClient } from '@state-proxy/connector-core';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { directRedis, startRedisConnector, uniquePrefix } from './testing/helpers.js';
import { describeTtl } from './testing/ttl-suite.js';

let redis: RedisBackend;
beforeAll(async () => {
  redis = await redisBackend();
});
afterAll(async () => {
  await redis?.stop();
});

describeTtl('one server', () => redis.url);

it('a TTL is a Redis expiry on {prefix}:{key}', async () => {
  const prefix = uniquePrefix('ttl');
  const connector = await startRedisConnector(redis.url, { STATE_PREFIX: prefix });
  const client = new ConnectorClient(connector.socketPath);
  const direct = await directRedis(redis.url);
  try {
    expect((await client.put('ttl/key', 'x')).status).toBe(204);
    expect((await client.setMeta('ttl/key', 'ttl', '300')).status).toBe(204);
    const seconds = await direct.ttl(`${prefix}:ttl/key`);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(300);
  } finally {
    client.close();
    direct.destroy();
    await connector.stop();
  }
});
