/**
 * The connector on a Redis Cluster (3 masters with a replica each: TEST_REDIS_CLUSTER_URL or a local
 * one, shared by the whole file): the conformance suite, compare-and-set and TTL, unchanged; keys
 * of every brace form written in chunks, whose upload key must share their hash slot (checked with
 * the server's own CLUSTER KEYSLOT); bodies staged in Redis (testing/staging-checks.ts); listings that span every master; a slot migrated under a
 * serving connector (ASK, then MOVED); seeds that answer only later; credentials refused.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { describeConformance } from '@state-proxy/connector-core/conformance';
import { ConnectorClient, type SpawnedConnector, startFaultProxy } from '@state-proxy/connector-core/testing';
import { type RedisClusterBackend, redisClusterBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadKeyFor } from './large-values.js';
import { keySlot } from './slots.js';
import { BRACE_KEYS } from './testing/brace-keys.js';
import { clusterClient, startRedisConnector, uniquePrefix } from './testing/helpers.js';
import { describeStaging, stagingKeysOn } from './testing/staging-checks.js';
import { expectDeniedThenServing, expectServingOnceReachable } from './testing/topology-checks.js';
import { variant } from './variant.js';

let cluster: RedisClusterBackend;
/** A plain connection to one node, for CLUSTER commands. */
let node: ReturnType<typeof createClient>;
beforeAll(async () => {
  cluster = await redisClusterBackend();
  node = createClient({ socket: cluster.seeds[0]! });
  node.on('error', () => {});
  await node.connect();
});
afterAll(async () => {
  node?.destroy();
  await cluster?.stop();
});

describeConformance({
  name: 'redis-buffered-cas on a Redis Cluster',
  start: (env) => startRedisConnector(cluster.url, env),
  features: { variant }, // consistency (cas) and ttl groups included
});

/** Runs `work` with a client of the cluster. */
async function onCluster<T>(
  work: (direct: Awaited<ReturnType<typeof clusterClient>>) => Promise<T>,
): Promise<T> {
  const direct = await clusterClient(cluster.url);
  try {
    return await work(direct);
  } finally {
    direct.destroy();
  }
}

describeStaging(
  'a Redis Cluster',
  () => ({
    url: cluster.url,
    // SCAN is a node's: every master is asked.
    stagingKeys: (prefix) =>
      onCluster(async (direct) => {
        const found = [];
        for (const master of direct.masters) {
          const onNode = await direct.nodeClient(master);
          found.push(...(await stagingKeysOn((args) => onNode.sendCommand(args), prefix)));
        }
        return found;
      }),
    remove: (name) => onCluster((direct) => direct.del(name)).then(() => {}),
  }),
  { largeBytes: 16 * 1024 * 1024 },
);

interface SlotOwner {
  from: number;
  to: number;
  host: string;
  port: number;
  id: string;
}

/** The masters and their slot ranges, from CLUSTER SLOTS. */
async function slotOwners(): Promise<SlotOwner[]> {
  const reply = (await node.sendCommand(['CLUSTER', 'SLOTS'])) as Array<
    [number, number, [string, number, string]]
  >;
  return reply.map(([from, to, [host, port, id]]) => ({ from, to, host, port, id }));
}

const ownerOf = (owners: SlotOwner[], slot: number) => owners.find((o) => o.from <= slot && slot <= o.to)!;

const serverSlot = async (key: string) => Number(await node.sendCommand(['CLUSTER', 'KEYSLOT', key]));

describe('hash slots', () => {
  const protocolKeys = [
    'b/{tag}.json',
    'b/foo{}{bar}',
    'b/foo{{bar}}zap',
    'b/{',
    'b/}',
    'b/}{',
    'b/a{b',
    'b/a}b{c',
    'b/{}',
    '{a}/b',
    'b/ü{€',
    'b/plain',
  ];

  it("an upload key's slot is its key's, per the server's CLUSTER KEYSLOT, for keys of every brace form", async () => {
    const keys = [
      ...BRACE_KEYS,
      ...protocolKeys.map((key) => `p:${key}`),
      ...Array.from({ length: 50 }, () => `p:${randomBytes(12).toString('base64')}`),
    ];
    let missedBefore = 0;
    for (const key of keys) {
      const slot = await serverSlot(key);
      expect({ key, slot: keySlot(key) }).toEqual({ key, slot });
      expect({ key, slot: await serverSlot(uploadKeyFor(key)) }).toEqual({ key, slot });
      // The scheme before (the key, a NUL and a random suffix): the check above can fail.
      if ((await serverSlot(`${key}\u0000upload-${randomBytes(8).toString('hex')}`)) !== slot) missedBefore++;
    }
    expect(missedBefore).toBeGreaterThan(keys.length / 2);
  });

  it('values written in chunks under keys with braces commit (one script, one slot) and read back whole', async () => {
    const connector = await startRedisConnector(cluster.url, {
      // Every value past one chunk (256 KiB) is staged.
      STATE_MEMORY_BUDGET_BYTES: String(1024 * 1024),
    });
    const client = new ConnectorClient(connector.socketPath);
    try {
      for (const key of protocolKeys) {
        const value = randomBytes(600 * 1024);
        const etag = `"${createHash('sha1').update(value).digest('hex')}"`;
        const put = await client.put(key, value);
        expect({ key, status: put.status, body: put.body.toString() }).toEqual({
          key,
          status: 204,
          body: '',
        });
        const read = await client.get(key);
        expect({ key, status: read.status, etag: read.headers.etag }).toEqual({ key, status: 200, etag });
        expect(read.body.equals(value)).toBe(true);
        // Conditional commits run the same script with a condition.
        const next = randomBytes(300 * 1024);
        expect((await client.put(key, next, { ifMatch: etag })).status).toBe(204);
        expect((await client.put(key, next, { ifNoneMatch: '*' })).status).toBe(409);
        expect((await client.get(key)).body.equals(next)).toBe(true);
      }
    } finally {
      client.close();
      await connector.stop();
    }
  });
});

describe('listing', () => {
  it('merges the keys of every master, sorted, with directories', async () => {
    const prefix = uniquePrefix('spread');
    const connector = await startRedisConnector(cluster.url, { STATE_PREFIX: prefix });
    const client = new ConnectorClient(connector.socketPath);
    try {
      const keys = Array.from({ length: 40 }, (_, i) => `spread/k${String(i).padStart(2, '0')}`);
      for (const key of [...keys, 'spread/dir/a', 'spread/dir/b', 'other/x']) {
        expect((await client.put(key, key)).status).toBe(204);
      }
      const owners = await slotOwners();
      const masters = new Set(keys.map((key) => ownerOf(owners, keySlot(`${prefix}:${key}`)).id));
      expect(masters.size).toBe(new Set(owners.map((o) => o.id)).size); // on every master

      const res = await client.request({ method: 'GET', path: '/keys/?prefix=spread/' });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString())).toEqual({ keys, prefixes: ['spread/dir/'] });
      const all = await client.request({ method: 'GET', path: '/keys/?prefix=&delimiter=' });
      expect(JSON.parse(all.body.toString()).keys).toHaveLength(keys.length + 3);
    } finally {
      client.close();
      await connector.stop();
    }
  });
});

describe('slot migration', () => {
  let connector: SpawnedConnector;
  let client: ConnectorClient;
  const prefix = uniquePrefix('moving');
  beforeAll(async () => {
    connector = await startRedisConnector(cluster.url, { STATE_PREFIX: prefix });
    client = new ConnectorClient(connector.socketPath);
  });
  afterAll(async () => {
    client?.close();
    await connector?.stop();
  });

  it('follows ASK while its slot migrates and MOVED once it has moved, reads, writes and CAS alike', async () => {
    expect((await client.put('m/key', 'v1')).status).toBe(204);
    const slot = keySlot(`${prefix}:m/key`);
    const owners = await slotOwners();
    const source = ownerOf(owners, slot);
    const target = owners.find((o) => o.id !== source.id)!;
    const [from, to] = [createClient({ socket: source }), createClient({ socket: target })];
    for (const c of [from, to]) c.on('error', () => {});
    await Promise.all([from.connect(), to.connect()]);
    try {
      await to.sendCommand(['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', source.id]);
      await from.sendCommand(['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', target.id]);
      const inSlot = (await from.sendCommand(['CLUSTER', 'GETKEYSINSLOT', String(slot), '100'])) as string[];
      await from.sendCommand([
        'MIGRATE',
        target.host,
        String(target.port),
        '',
        '0',
        '5000',
        'KEYS',
        ...inSlot,
      ]);

      // Migrating: the source answers ASK for the key, which the client follows (with ASKING).
      expect((await client.get('m/key')).body.toString()).toBe('v1');
      expect((await client.put('m/key', 'v2')).status).toBe(204); // conditional on v1: the CAS script
      expect((await client.head('m/key')).status).toBe(204);

      // Moved: every master now says the slot is the target's; the source answers MOVED.
      for (const owner of new Set(owners.map((o) => `${o.host}:${o.port}:${o.id}`))) {
        const [host, port] = owner.split(':');
        const c = createClient({ socket: { host: host!, port: Number(port) } });
        c.on('error', () => {});
        await c.connect();
        await c.sendCommand(['CLUSTER', 'SETSLOT', String(slot), 'NODE', target.id]);
        c.destroy();
      }
      expect((await client.get('m/key')).body.toString()).toBe('v2');
      expect((await client.put('m/key', 'v3')).status).toBe(204);
      expect((await client.get('m/key')).body.toString()).toBe('v3');
      const list = await client.request({ method: 'GET', path: '/keys/?prefix=m/' });
      expect(JSON.parse(list.body.toString()).keys).toEqual(['m/key']);
    } finally {
      from.destroy();
      to.destroy();
    }
  });
});

describe('connection policy', () => {
  it('started before any seed answers: 503 at once, then it discovers the cluster without a restart', async () => {
    const proxy = await startFaultProxy(cluster.seeds[0]!);
    try {
      await proxy.setMode('refuse');
      await expectServingOnceReachable(`redis-cluster://${proxy.host}:${proxy.port}`, () =>
        proxy.setMode('pass'),
      );
    } finally {
      await proxy.close();
    }
  });

  it('credentials the nodes refuse: 403 on every request, /readyz says so; accepted, it serves', async () => {
    const lines = String(await node.sendCommand(['CLUSTER', 'NODES']))
      .trim()
      .split('\n');
    const nodes = lines.map((line) => {
      const [host, port] = line.split(' ')[1]!.split('@')[0]!.split(':');
      return { host: host!, port: Number(port) };
    });
    await expectDeniedThenServing(nodes, (user, password) =>
      cluster.url.replace('-cluster://', `-cluster://${user}:${password}@`),
    );
  });
});
