/**
 * The connector on a Redis Sentinel set (1 master, 2 replicas, 3 sentinels: TEST_REDIS_SENTINEL_URL
 * or a local one, shared by the whole file): the conformance suite, compare-and-set and TTL,
 * unchanged; bodies staged in Redis (testing/staging-checks.ts); the URL's database; STATE_REDIS_WAIT_REPLICAS met and not met; a master name the
 * sentinels do not know; sentinels that answer only later; credentials the master refuses.
 */
import { createClient } from '@redis/client';
import { describeConformance } from '@state-proxy/connector-core/conformance';
import { type ClientResponse, ConnectorClient, startFaultProxy } from '@state-proxy/connector-core/testing';
import { type RedisSentinelBackend, redisSentinelBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directRedis, startRedisConnector, uniquePrefix } from './testing/helpers.js';
import { describeStaging, stagingKeysOn } from './testing/staging-checks.js';
import { expectDeniedThenServing, expectServingOnceReachable } from './testing/topology-checks.js';
import { variant } from './variant.js';

let sentinel: RedisSentinelBackend;
beforeAll(async () => {
  sentinel = await redisSentinelBackend();
});
afterAll(async () => {
  await sentinel?.stop();
});

describeConformance({
  name: 'redis-buffered-cas on a Redis Sentinel set',
  start: (env) => startRedisConnector(sentinel.url, env),
  features: { variant }, // consistency (cas) and ttl groups included
});

/** The master's URL (database `db`) as the first sentinel says, for a direct look at what is stored. */
async function masterUrl(db = 0): Promise<string> {
  const client = createClient({ socket: sentinel.sentinels[0]! });
  client.on('error', () => {});
  await client.connect();
  try {
    const [host, port] = (await client.sendCommand([
      'SENTINEL',
      'GET-MASTER-ADDR-BY-NAME',
      sentinel.masterName,
    ])) as [string, string];
    return `redis://${host}:${port}/${db}`;
  } finally {
    client.destroy();
  }
}

/** Runs `work` with a direct client of the current master. */
async function onMaster<T>(
  work: (direct: Awaited<ReturnType<typeof directRedis>>) => Promise<T>,
): Promise<T> {
  const direct = await directRedis(await masterUrl());
  try {
    return await work(direct);
  } finally {
    direct.destroy();
  }
}

describeStaging(
  'a Sentinel set',
  () => ({
    url: sentinel.url,
    stagingKeys: (prefix) => onMaster((direct) => stagingKeysOn((args) => direct.sendCommand(args), prefix)),
    remove: (name) => onMaster((direct) => direct.del(name)).then(() => {}),
  }),
  { largeBytes: 16 * 1024 * 1024 },
);

const errorOf = (res: ClientResponse) =>
  JSON.parse(res.body.toString()) as { error: string; message: string };

describe('Sentinel settings', () => {
  it("selects the URL's database on the master", async () => {
    const prefix = uniquePrefix('db');
    const url = sentinel.url.replace(`#${sentinel.masterName}`, `/3#${sentinel.masterName}`);
    const connector = await startRedisConnector(url, { STATE_PREFIX: prefix });
    const client = new ConnectorClient(connector.socketPath);
    const direct = await directRedis(await masterUrl(3));
    try {
      expect((await client.put('in/db3', 'three')).status).toBe(204);
      expect((await direct.get(`${prefix}:in/db3`))?.toString()).toBe('three');
    } finally {
      client.close();
      direct.destroy();
      await connector.stop();
    }
  });

  it('STATE_REDIS_WAIT_REPLICAS: 204 once both replicas have a write; asking for three is 503, the write applied', async () => {
    const prefix = uniquePrefix('wait');
    const both = await startRedisConnector(sentinel.url, {
      STATE_PREFIX: prefix,
      STATE_REDIS_WAIT_REPLICAS: '2',
    });
    const three = await startRedisConnector(sentinel.url, {
      STATE_PREFIX: prefix,
      STATE_REDIS_WAIT_REPLICAS: '3',
      STATE_REDIS_WAIT_TIMEOUT_MS: '200',
    });
    const [ok, short] = [new ConnectorClient(both.socketPath), new ConnectorClient(three.socketPath)];
    try {
      expect((await ok.put('w/key', 'confirmed')).status).toBe(204);
      expect((await ok.delete('w/key')).status).toBe(204);
      for (const res of [
        await short.put('w/key', 'unconfirmed'),
        await short.setMeta('w/key', 'ttl', '60'),
      ]) {
        expect(res.status).toBe(503);
        expect(errorOf(res)).toEqual({
          error: 'unavailable',
          message: expect.stringMatching(
            /not confirmed by 3 replica\(s\) within 200 ms \(2 did.*may or may not/,
          ),
        });
      }
      // "May or may not": the master has it.
      expect((await ok.get('w/key')).body.toString()).toBe('unconfirmed');
    } finally {
      ok.close();
      short.close();
      await Promise.all([both.stop(), three.stop()]);
    }
  });

  it('a master name the sentinels do not know: 503 and /readyz 503 saying so, the process serving on', async () => {
    const url = sentinel.url.replace(`#${sentinel.masterName}`, '#no-such-master');
    const connector = await startRedisConnector(url);
    const client = new ConnectorClient(connector.socketPath);
    try {
      const res = await client.get('any/key');
      expect(res.status).toBe(503);
      expect(errorOf(res).message).toMatch(/knows no master named 'no-such-master'/);
      const ready = await client.request({ method: 'GET', path: '/readyz' });
      expect(ready.status).toBe(503);
      expect(connector.child.exitCode).toBeNull();
    } finally {
      client.close();
      await connector.stop();
    }
  });
});

describe('connection policy', () => {
  it('started before any sentinel answers: 503 at once, then it finds the master without a restart', async () => {
    const proxy = await startFaultProxy(sentinel.sentinels[0]!);
    try {
      await proxy.setMode('refuse');
      await expectServingOnceReachable(
        `redis-sentinel://${proxy.host}:${proxy.port}#${sentinel.masterName}`,
        () => proxy.setMode('pass'),
      );
    } finally {
      await proxy.close();
    }
  });

  it('credentials the master refuses: 403 on every request, /readyz says so; accepted, it serves', async () => {
    const master = new URL(await masterUrl());
    await expectDeniedThenServing(
      [{ host: master.hostname, port: Number(master.port) }],
      (user, password) => sentinel.url.replace('-sentinel://', `-sentinel://${user}:${password}@`),
      // The sentinels have no such user: they get no credentials (theirs, if they had any).
      { REDIS_SENTINEL_PASSWORD: '' },
    );
  });
});
