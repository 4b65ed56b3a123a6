/** The shared protocol suite (core), over the socket of the built bundle, against a real Redis. */
import { describeConformance } from '@state-proxy/connector-core/conformance';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll } from 'vitest';
import { startRedisConnector } from './testing/helpers.js';
import { variant } from './variant.js';

let redis: RedisBackend;
beforeAll(async () => {
  redis = await redisBackend();
});
afterAll(async () => {
  await redis?.stop();
});

describeConformance({
  name: 'redis-buffered-cas',
  start: (env) => startRedisConnector(redis.url, env),
  features: {
    variant,
    volume: {
      reads: 12_000,
      listedKeys: 100_000,
      listedKeyBytes: 100,
      image: { heapMiB: 20, memoryMiB: 64 },
    },
    faults: {
      get backend() {
        const { hostname, port } = new URL(redis.url);
        return { host: hostname, port: Number(port || 6379) };
      },
      start: (endpoint, env) => startRedisConnector(`redis://${endpoint.host}:${endpoint.port}`, env),
    },
  },
});
