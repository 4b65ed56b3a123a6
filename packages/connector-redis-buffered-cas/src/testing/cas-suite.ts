/**
 * Compare-and-set (docs/consistency.md) against a real Redis, whatever its topology: the
 * lost-update invariant, shown to be able to fail; exclusive-create races; explicit If-Match.
 * Run by cas.test.ts (one server), sentinel.test.ts and cluster.test.ts, unchanged.
 */
import {
  type Connector,
  ConnectorClient,
  MemoryBudget,
  runCounterWorkload,
  serveConnector,
} from '@state-proxy/connector-core';
import type { SpawnedConnector } from '@state-proxy/connector-core/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRedisConfig } from '../config.js';
import { RedisConnector } from '../connector.js';
import { startRedisConnector, uniquePrefix } from './helpers.js';

const WORKERS = 8;
const CYCLES = 50;

/** The suite against the Redis that `redisUrl()` names once the file's beforeAll has run. */
export function describeCompareAndSet(topology: string, redisUrl: () => string): void {
  describe(`compare-and-set (${topology})`, () => {
    /** The shared workload with worker i on socket i (one connector per worker, like actor replicas). */
    async function runCounter(socketPaths: string[], key: string): Promise<number> {
      const result = await runCounterWorkload({
        sockets: socketPaths,
        key,
        workers: WORKERS,
        cycles: CYCLES,
      });
      return result.final;
    }

    describe('lost updates', () => {
      it(`${WORKERS} workers x ${CYCLES} read-increment-write cycles end at exactly ${WORKERS * CYCLES}`, async () => {
        // Each worker has its own connector process (its own remembered digests), as replicas of an
        // actor each have their own sidecar; all share one namespace in one Redis.
        const prefix = uniquePrefix('counter');
        const connectors: SpawnedConnector[] = await Promise.all(
          Array.from({ length: WORKERS }, () => startRedisConnector(redisUrl(), { STATE_PREFIX: prefix })),
        );
        try {
          const total = await runCounter(
            connectors.map((c) => c.socketPath),
            'counter',
          );
          expect(total).toBe(WORKERS * CYCLES);
        } finally {
          await Promise.all(connectors.map((c) => c.stop()));
        }
      });

      it('the same workload without the remembered digest (blind writes) loses updates', async () => {
        // Proof that the test above can fail: the bare connector, not wrapped in withCompareAndSet.
        const prefix = uniquePrefix('blind');
        const servers = await Promise.all(
          Array.from({ length: WORKERS }, async (_, i) => {
            const connector: Connector = new RedisConnector({
              ...readRedisConfig({ REDIS_URL: redisUrl(), STATE_BACKEND_TIMEOUT_MS: '5000' }),
              prefix,
              memory: new MemoryBudget(16 * 1024 * 1024, 5000),
            });
            const socketPath = `/tmp/redis-blind-${process.pid}-${prefix}-${i}.sock`;
            return serveConnector(connector, { socketPath, processMetrics: false });
          }),
        );
        try {
          const total = await runCounter(
            servers.map((s) => s.socketPath),
            'counter',
          );
          expect(total).toBeLessThan(WORKERS * CYCLES);
        } finally {
          await Promise.all(servers.map((s) => s.close(1000)));
        }
      });
    });

    describe('conditional writes', () => {
      let connector: SpawnedConnector;
      let client: ConnectorClient;
      beforeAll(async () => {
        connector = await startRedisConnector(redisUrl());
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
        const statuses = results.map((r) => r.status).sort();
        expect(statuses).toEqual([204, 409, 409, 409, 409, 409, 409, 409]);
        for (const r of results.filter((r) => r.status === 409)) {
          expect(JSON.parse(r.body.toString()).error).toBe('conflict');
        }
        // The winner's bytes are what is stored.
        const winner = bodies[results.findIndex((r) => r.status === 204)];
        expect((await client.get('race/new')).body.toString()).toBe(winner);
      });

      it('If-Match with the current ETag writes; with a stale ETag it is 409', async () => {
        const first = await client.put('explicit/key', 'one');
        const staleEtag = first.headers.etag!;
        const second = await client.put('explicit/key', 'two', { ifMatch: staleEtag });
        expect(second.status).toBe(204);
        const stale = await client.put('explicit/key', 'three', { ifMatch: staleEtag });
        expect(stale.status).toBe(409);
        expect(JSON.parse(stale.body.toString()).error).toBe('conflict');
        expect((await client.get('explicit/key')).body.toString()).toBe('two');
      });

      it('If-Match on a missing key is 409', async () => {
        const res = await client.put('explicit/missing', 'x', {
          ifMatch: '"0000000000000000000000000000000000000000"',
        });
        expect(res.status).toBe(409);
      });

      it('the ETag is the SHA-1 of the content, the same on PUT, GET and HEAD', async () => {
        const put = await client.put('explicit/etag', 'hello');
        const expected = '"aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"';
        expect(put.headers.etag).toBe(expected);
        expect((await client.get('explicit/etag')).headers.etag).toBe(expected);
        expect((await client.head('explicit/etag')).headers.etag).toBe(expected);
      });

      it('a plain PUT after a read conflicts when another writer changed the key in between', async () => {
        // Two connectors (two replicas) on one namespace: A reads, B writes, A's plain write is refused.
        const prefix = uniquePrefix('span');
        const a = await startRedisConnector(redisUrl(), { STATE_PREFIX: prefix });
        const b = await startRedisConnector(redisUrl(), { STATE_PREFIX: prefix });
        const ca = new ConnectorClient(a.socketPath);
        const cb = new ConnectorClient(b.socketPath);
        try {
          expect((await ca.put('k', 'v1')).status).toBe(204);
          expect((await ca.get('k')).body.toString()).toBe('v1');
          expect((await cb.put('k', 'v2')).status).toBe(204);
          expect((await ca.put('k', 'from-a')).status).toBe(409);
          // The conflict forgot the key: after a re-read the write goes through.
          expect((await ca.get('k')).body.toString()).toBe('v2');
          expect((await ca.put('k', 'from-a')).status).toBe(204);
          // A read that saw "absent" makes the next plain write a create-if-absent.
          expect((await ca.get('fresh')).status).toBe(404);
          expect((await cb.put('fresh', 'b-first')).status).toBe(204);
          expect((await ca.put('fresh', 'a-second')).status).toBe(409);
        } finally {
          ca.close();
          cb.close();
          await Promise.all([a.stop(), b.stop()]);
        }
      });
    });
  });
}
