/**
 * A master that stops answering for a while (the connector's deadline), then failover under load, on
 * a Sentinel set this file owns (it kills the master): 16 workers write
 * unique values through one connector with STATE_REDIS_WAIT_REPLICAS=1 while the master is
 * SIGKILLed. The connector follows the promoted replica by itself; meanwhile requests answer 503,
 * never 500, and /readyz says no master is reachable; no write it acknowledged is lost.
 */
import { ConnectorClient } from '@state-proxy/connector-core/testing';
import { type LocalRedisSentinel, startLocalRedisSentinel } from '@state-proxy/test-backends';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { directRedis, startRedisConnector, uniquePrefix, waitFor } from './testing/helpers.js';
import { expectDeadlineThenServing, onNode } from './testing/topology-checks.js';
import { type Answer, statusCounts, WriteLoad } from './testing/write-load.js';

let sentinel: LocalRedisSentinel;
beforeAll(async () => {
  sentinel = await startLocalRedisSentinel();
});
afterAll(async () => {
  await sentinel?.stop();
});

/** Values of `keys` on the server at `url`, fetched in batches (MGET). */
async function storedValues(url: string, keys: string[]): Promise<Map<string, string | undefined>> {
  const direct = await directRedis(url);
  try {
    const values = new Map<string, string | undefined>();
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const replies = (await direct.mGet(batch)) as Array<Buffer | null>;
      for (const [j, key] of batch.entries()) values.set(key, replies[j]?.toString());
    }
    return values;
  } finally {
    direct.destroy();
  }
}

it('a master that stops answering: 504 within the deadline, then served again without a restart', async () => {
  const master = await sentinel.masterAddress();
  await expectDeadlineThenServing(sentinel.url, uniquePrefix('hung'), () =>
    onNode(master, ['CLIENT', 'PAUSE', '700', 'ALL']),
  );
});

it('a SIGKILLed master: 503s (never 500) until the replica is promoted, then 204s, no acknowledged write lost', async () => {
  const prefix = uniquePrefix('failover');
  const connector = await startRedisConnector(sentinel.url, {
    STATE_PREFIX: prefix,
    STATE_REDIS_WAIT_REPLICAS: '1',
  });
  const client = new ConnectorClient(connector.socketPath);
  const load = new WriteLoad(connector.socketPath, { workers: 16, maxWritesPerWorker: 3000, maxMs: 40_000 });
  let answers: Answer[] = [];
  try {
    load.start();
    expect(await load.waitFor(204, 300)).toBe(true);
    const old = await sentinel.masterAddress();
    const killedAt = Date.now();
    await sentinel.killMaster();

    // /readyz while no master answers, then the switch as the sentinels see it.
    const unready = await waitFor('/readyz to answer 503', async () => {
      const res = await client.request({ method: 'GET', path: '/readyz' });
      return res.status === 503 ? (JSON.parse(res.body.toString()) as { reason: string }) : undefined;
    });
    expect(unready.reason).toMatch(/^Redis is not connected.*master 'mymaster'/);
    const promotedAt = await waitFor(
      'the sentinels to promote a replica',
      async () =>
        (await sentinel.masterAddress().catch(() => old)).port !== old.port ? Date.now() : undefined,
      { timeoutMs: 20_000, intervalMs: 25 },
    );
    // Writes succeed again, through the same connector process.
    expect(await load.waitFor(204, 300, promotedAt)).toBe(true);
    answers = await load.stop();
    const firstFailure = Math.min(...answers.filter((a) => a.status !== 204).map((a) => a.at));
    const recoveredAt = Math.min(
      ...answers.filter((a) => a.status === 204 && a.sentAt > firstFailure).map((a) => a.sentAt),
    );
    console.log(
      `sentinel failover: ${statusCounts(answers)[204]} writes acknowledged, answers ${JSON.stringify(statusCounts(answers))}; ` +
        `kill -> promotion ${promotedAt - killedAt} ms, promotion -> first 204 ${recoveredAt - promotedAt} ms`,
    );

    const failures = answers.filter((a) => a.status !== 204);
    expect(failures.length).toBeGreaterThan(0); // the test did see the outage
    expect(failures.filter((a) => a.status !== 503)).toEqual([]);
    expect(recoveredAt - promotedAt).toBeLessThan(5000);
    expect((await client.request({ method: 'GET', path: '/readyz' })).status).toBe(200);
    expect(connector.child.exitCode).toBeNull();

    // Every write answered 204 is on the new master.
    const acked = answers.filter((a) => a.status === 204);
    const master = await sentinel.masterAddress();
    const stored = await storedValues(
      `redis://${master.host}:${master.port}`,
      acked.map((a) => `${prefix}:${a.key}`),
    );
    expect(acked.filter((a) => stored.get(`${prefix}:${a.key}`) !== a.value)).toEqual([]);
    const last = acked.at(-1)!;
    expect((await client.get(last.key)).body.toString()).toBe(last.value);
  } finally {
    await load.stop();
    client.close();
    await connector.stop();
  }
});
