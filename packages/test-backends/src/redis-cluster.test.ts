import { existsSync, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { createClient, createCluster } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { canConnect } from './ports.js';
import { type LocalRedisCluster, redisClusterBackend, startLocalRedisCluster } from './redis-cluster.js';
import { infoField, redisCommand } from './redis-command.js';
import { redisAnswersPing } from './redis-server.js';
import { waitUntil } from './wait.js';

function tlsOptions(cluster: LocalRedisCluster): ConnectionOptions | undefined {
  const files = cluster.tls;
  if (!files) return undefined;
  return {
    ca: readFileSync(files.caCert),
    cert: readFileSync(files.clientCert),
    key: readFileSync(files.clientKey),
  };
}

/** node-redis's cluster client, as the connector will use it: the seeds, and TLS when the cluster has it. */
async function connectClient(cluster: LocalRedisCluster) {
  const tls = tlsOptions(cluster);
  const client = createCluster({
    rootNodes: cluster.seeds.map(({ host, port }) => ({ socket: { host, port } })),
    defaults: {
      socket: {
        ...(tls ? { ...tls, tls: true as const } : {}),
        connectTimeout: 2000,
        reconnectStrategy: false,
      },
    },
  });
  client.on('error', () => {}); // a dead seed is reported here, and skipped
  await client.connect();
  return client;
}

async function roundTrip(
  cluster: LocalRedisCluster,
  entries: Array<[string, string]>,
): Promise<Array<string | null>> {
  const client = await connectClient(cluster);
  try {
    for (const [key, value] of entries) await client.set(key, value);
    return await Promise.all(entries.map(([key]) => client.get(key)));
  } finally {
    client.destroy();
  }
}

describe('startLocalRedisCluster', () => {
  let cluster: LocalRedisCluster;
  beforeAll(async () => {
    cluster = await startLocalRedisCluster();
  });
  afterAll(() => cluster?.stop());

  it('has 3 masters covering all 16384 slots, each with one replica, at the seeds of its URL', async () => {
    const nodes = await cluster.nodes();
    const masters = nodes.filter((node) => node.role === 'master');
    const replicas = nodes.filter((node) => node.role === 'replica');
    expect(masters).toHaveLength(3);
    expect(replicas.map((replica) => replica.masterId).sort()).toEqual(
      masters.map((master) => master.id).sort(),
    );
    const covered = masters
      .flatMap((master) => master.slots)
      .reduce((sum, [from, to]) => sum + to - from + 1, 0);
    expect(covered).toBe(16384);
    expect(nodes.every((node) => node.host === '127.0.0.1' && !node.failing)).toBe(true);
    expect(nodes.map((node) => node.port).sort()).toEqual(cluster.seeds.map((seed) => seed.port).sort());
    expect(cluster.url).toBe(
      `redis-cluster://${cluster.seeds.map((seed) => `127.0.0.1:${seed.port}`).join(',')}`,
    );
  });

  it('stores and returns values through node-redis on every master', async () => {
    const entries = Array.from({ length: 30 }, (_, i): [string, string] => [`key-${i}`, `value-${i}`]);
    expect(await roundTrip(cluster, entries)).toEqual(entries.map(([, value]) => value));
    const owners = await Promise.all(entries.map(([key]) => cluster.masterForKey(key)));
    expect(new Set(owners.map((owner) => owner.id)).size).toBe(3);
  });

  it('names in masterForKey the master that holds the key', async () => {
    await roundTrip(cluster, [['owned', 'here']]);
    const owner = await cluster.masterForKey('owned');
    // Asked directly, a node answers only for its own slots (others get -MOVED).
    const direct = createClient({ socket: { host: owner.host, port: owner.port } });
    await direct.connect();
    try {
      expect(await direct.get('owned')).toBe('here');
    } finally {
      direct.destroy();
    }
  });

  // Last: it changes the cluster.
  it('replaces a killed master by its replica, which then serves its slots', async () => {
    const key = 'survives-failover';
    const master = await cluster.masterForKey(key);
    const replica = (await cluster.nodes()).find((node) => node.masterId === master.id)!;
    const killed = await cluster.killMaster(key);
    expect(killed.id).toBe(master.id);
    expect(await redisAnswersPing('127.0.0.1', master.port)).toBe(false);

    const startedAt = Date.now();
    const live = cluster.seeds.filter((seed) => seed.port !== master.port);
    await waitUntil(
      async () => {
        if ((await cluster.masterForKey(key)).id !== replica.id) return false;
        const infos = await Promise.all(live.map((seed) => redisCommand(seed, ['CLUSTER', 'INFO'])));
        return infos.every((info) => infoField(info, 'cluster_state') === 'ok');
      },
      {
        what: `replica ${replica.port} to take over from ${master.port} on every live node`,
        timeoutMs: 15_000,
      },
    );
    expect(Date.now() - startedAt).toBeLessThan(10_000); // ~1-3 s with a 1 s node timeout

    expect((await cluster.nodes()).find((node) => node.id === master.id)?.failing).toBe(true);
    expect(await roundTrip(cluster, [[key, 'after failover']])).toEqual(['after failover']);
    await expect(cluster.killMaster(key)).resolves.toMatchObject({ id: replica.id });
  });
});

describe('startLocalRedisCluster with mutual TLS', () => {
  let cluster: LocalRedisCluster;
  beforeAll(async () => {
    cluster = await startLocalRedisCluster({ tls: 'mutual' });
  });
  afterAll(() => cluster?.stop());

  it('serves node-redis over TLS with the client certificate, and nothing in plain text', async () => {
    expect(cluster.url).toMatch(/^rediss-cluster:\/\/127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+){5}$/);
    expect(
      await roundTrip(cluster, [
        ['tls-a', '1'],
        ['tls-b', '2'],
        ['tls-c', '3'],
      ]),
    ).toEqual(['1', '2', '3']);
    const nodes = await cluster.nodes();
    expect(nodes.map((node) => node.port).sort()).toEqual(cluster.seeds.map((seed) => seed.port).sort());
    expect(await redisAnswersPing('127.0.0.1', cluster.seeds[0]!.port)).toBe(false);
  });

  // Last: it ends the cluster.
  it('stop() kills every node and removes the temp dir', async () => {
    await cluster.stop();
    for (const seed of cluster.seeds) expect(await canConnect(seed.host, seed.port)).toBe(false);
    expect(existsSync(cluster.tls!.caCert)).toBe(false);
  });
});

describe('redisClusterBackend', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('takes TEST_REDIS_CLUSTER_URL as it is, starting nothing', async () => {
    vi.stubEnv('TEST_REDIS_CLUSTER_URL', 'redis-cluster://10.0.0.1:7000,10.0.0.2:7001');
    const backend = await redisClusterBackend();
    expect(backend.url).toBe('redis-cluster://10.0.0.1:7000,10.0.0.2:7001');
    expect(backend.seeds).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
    ]);
    await backend.stop();
  });

  it('names the variable when its URL is not a cluster URL', async () => {
    vi.stubEnv('TEST_REDIS_CLUSTER_URL', 'redis://10.0.0.1:7000');
    await expect(redisClusterBackend()).rejects.toThrow(
      /^TEST_REDIS_CLUSTER_URL: expected redis-cluster:\/\//,
    );
  });
});
