/**
 * A master that stops answering for a while (the connector's deadline), then failover under load, on
 * a Redis Cluster this file owns (it kills a master): 16 workers write
 * unique values, spread over every slot, through one connector with STATE_REDIS_WAIT_REPLICAS=1
 * while one master is SIGKILLed. Its replica takes over; the connector learns it from the other
 * nodes by itself and serves that master's slots again. Meanwhile requests answer 503, never 500,
 * and no write it acknowledged is lost, in those slots or any other.
 */
import { ConnectorClient } from '@state-proxy/connector-core/testing';
import { type LocalRedisCluster, startLocalRedisCluster } from '@state-proxy/test-backends';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keySlot } from './slots.js';
import { clusterClient, startRedisConnector, uniquePrefix, waitFor } from './testing/helpers.js';
import { expectDeadlineThenServing, onNode } from './testing/topology-checks.js';
import { type Answer, statusCounts, WriteLoad } from './testing/write-load.js';

let cluster: LocalRedisCluster;
beforeAll(async () => {
  cluster = await startLocalRedisCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

it('a master that stops answering: 504 within the deadline, then served again without a restart', async () => {
  const prefix = uniquePrefix('hung');
  const master = await cluster.masterForKey(`${prefix}:hung/key`);
  await expectDeadlineThenServing(cluster.url, prefix, () =>
    onNode(master, ['CLIENT', 'PAUSE', '700', 'ALL']),
  );
});

it('a SIGKILLed master: 503s (never 500) until its replica serves its slots, no acknowledged write lost', async () => {
  const prefix = uniquePrefix('failover');
  const storageKey = (key: string) => `${prefix}:${key}`;
  const connector = await startRedisConnector(cluster.url, {
    STATE_PREFIX: prefix,
    STATE_REDIS_WAIT_REPLICAS: '1',
  });
  const client = new ConnectorClient(connector.socketPath);
  const load = new WriteLoad(connector.socketPath, { workers: 16, maxWritesPerWorker: 3000, maxMs: 40_000 });
  let answers: Answer[] = [];
  try {
    expect((await client.put('probe', 'before')).status).toBe(204);
    const victim = await cluster.masterForKey(storageKey('probe'));
    const inVictimSlots = (key: string) => {
      const slot = keySlot(storageKey(key));
      return victim.slots.some(([from, to]) => from <= slot && slot <= to);
    };
    load.start();
    expect(await load.waitFor(204, 300)).toBe(true);
    const killedAt = Date.now();
    await cluster.killMaster(storageKey('probe'));

    const promotedAt = await waitFor(
      'the replica to take over',
      async () => {
        const owner = await cluster.masterForKey(storageKey('probe')).catch(() => victim);
        return owner.port !== victim.port ? Date.now() : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 25 },
    );
    // Its slots are served again: a read there succeeds through the same connector process.
    const servedAt = await waitFor(
      "a read in the dead master's slots",
      async () => ((await client.get('probe')).status === 200 ? Date.now() : undefined),
      { timeoutMs: 15_000, intervalMs: 25 },
    );
    // ...and writes elsewhere, which still have a replica to confirm them.
    expect(await load.waitFor(204, 300, servedAt)).toBe(true);
    answers = await load.stop();
    console.log(
      `cluster failover: ${statusCounts(answers)[204]} writes acknowledged, answers ${JSON.stringify(statusCounts(answers))}; ` +
        `kill -> replica promoted ${promotedAt - killedAt} ms, promotion -> its slots served ${servedAt - promotedAt} ms`,
    );

    const failures = answers.filter((a) => a.status !== 204);
    expect(failures.length).toBeGreaterThan(0); // the test did see the outage
    expect(failures.filter((a) => a.status !== 503)).toEqual([]);
    expect(servedAt - promotedAt).toBeLessThan(5000);
    expect(connector.child.exitCode).toBeNull();

    // Every write answered 204 is there, those in the dead master's slots included.
    const acked = answers.filter((a) => a.status === 204);
    expect(acked.filter((a) => inVictimSlots(a.key)).length).toBeGreaterThan(0);
    const direct = await clusterClient(cluster.url);
    try {
      const missing: Answer[] = [];
      for (let i = 0; i < acked.length; i += 200) {
        const batch = acked.slice(i, i + 200);
        const values = await Promise.all(batch.map((a) => direct.get(storageKey(a.key))));
        missing.push(...batch.filter((a, j) => values[j]?.toString() !== a.value));
      }
      expect(missing).toEqual([]);
    } finally {
      direct.destroy();
    }

    // The promoted master has no replica left: with STATE_REDIS_WAIT_REPLICAS=1 a write in its
    // slots is applied but cannot be confirmed, and says so.
    const unconfirmed = await client.put('probe', 'after');
    expect(unconfirmed.status).toBe(503);
    expect(JSON.parse(unconfirmed.body.toString()).message).toMatch(
      /not confirmed by 1 replica.*may or may not have been applied/,
    );
    expect((await client.get('probe')).body.toString()).toBe('after');
  } finally {
    await load.stop();
    client.close();
    await connector.stop();
  }
});
