/**
 * What is Redis's own about compare-and-set (the conformance suite covers the lost-update
 * invariant, exclusive creates and If-Match): the workload can fail here too, without the
 * remembered digest; concurrent exclusive creates are decided by one script call each; the ETag
 * is the content's SHA-1, which the Lua scripts compare.
 */
import { type Connector, MemoryBudget, serveConnector } from '@state-proxy/connector-core';
import {
  ConnectorClient,
  runCounterWorkload,
  type SpawnedConnector,
} from '@state-proxy/connector-core/testing';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRedisConfig } from './config.js';
import { RedisConnector } from './connector.js';
import { startRedisConnector, uniquePrefix } from './testing/helpers.js';

const WORKERS = 8;
const CYCLES = 50;

let redis: RedisBackend;
beforeAll(async () => {
  redis = await redisBackend();
});
afterAll(async () => {
  await redis?.stop();
});

describe('lost updates', () => {
  it('the conformance workload without the remembered digest (blind writes) loses updates', async () => {
    // Proof that the suite's lost-update test can fail on Redis: the bare connector, not wrapped
    // in withCompareAndSet, one per worker.
    const prefix = uniquePrefix('blind');
    const servers = await Promise.all(
      Array.from({ length: WORKERS }, async (_, i) => {
        const connector: Connector = new RedisConnector({
          ...readRedisConfig({ REDIS_URL: redis.url, STATE_BACKEND_TIMEOUT_MS: '5000' }),
          prefix,
          memory: new MemoryBudget(16 * 1024 * 1024, 5000),
        });
        const socketPath = `/tmp/redis-blind-${process.pid}-${prefix}-${i}.sock`;
        return serveConnector(connector, { socketPath, processMetrics: false });
      }),
    );
    try {
      const result = await runCounterWorkload({
        sockets: servers.map((s) => s.socketPath),
        key: 'counter',
        workers: WORKERS,
        cycles: CYCLES,
      });
      expect(result.final).toBeLessThan(WORKERS * CYCLES);
    } finally {
      await Promise.all(servers.map((s) => s.close(1000)));
    }
  });
});

describe('conditional writes', () => {
  let connector: SpawnedConnector;
  let client: ConnectorClient;
  beforeAll(async () => {
    connector = await startRedisConnector(redis.url);
    client = new ConnectorClient(connector.socketPath);
  });
  afterAll(async () => {
    client?.close();
    await connector?.stop();
  });

  it('8 concurrent If-None-Match: * PUTs on a new key: one 204, seven 409 conflict', async () => {
    const bodies = Array.from({ length: 8 }, (_, i) => `writer-${i}`);
    const results = await Promise.all(
      bodies.map((body) => client.put('race/new', body, { ifNoneMatch: '*' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([204, 409, 409, 409, 409, 409, 409, 409]);
    // The winner's bytes are what is stored.
    const winner = bodies[results.findIndex((r) => r.status === 204)];
    expect((await client.get('race/new')).body.toString()).toBe(winner);
  });

  it('the ETag is the SHA-1 of the content, the same on PUT, GET and HEAD', async () => {
    const put = await client.put('explicit/etag', 'hello');
    const expected = '"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"';
    expect(put.headers.etag).toBe(expected);
    expect((await client.get('explicit/etag')).headers.etag).toBe(expected);
    expect((await client.head('explicit/etag')).headers.etag).toBe(expected);
  });
});
