import { existsSync, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { createSentinel } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { canConnect } from './ports.js';
import { infoField, redisCommand } from './redis-command.js';
import { type LocalRedisSentinel, redisSentinelBackend, startLocalRedisSentinel } from './redis-sentinel.js';
import { redisAnswersPing } from './redis-server.js';
import type { RedisAddress } from './types.js';
import { waitUntil } from './wait.js';

function tlsOptions(set: LocalRedisSentinel): ConnectionOptions | undefined {
  const files = set.tls;
  if (!files) return undefined;
  return {
    ca: readFileSync(files.caCert),
    cert: readFileSync(files.clientCert),
    key: readFileSync(files.clientKey),
  };
}

/** SET then GET through node-redis's sentinel client, as the connector will use it. */
async function roundTrip(set: LocalRedisSentinel, key: string, value: string): Promise<string | null> {
  const tls = tlsOptions(set);
  const socket = { ...(tls ? { ...tls, tls: true as const } : {}), connectTimeout: 2000 };
  const client = createSentinel({
    name: set.masterName,
    sentinelRootNodes: set.sentinels,
    nodeClientOptions: { socket },
    sentinelClientOptions: { socket },
  });
  client.on('error', () => {}); // connect() and the commands reject with it
  await client.connect();
  try {
    await client.set(key, value);
    return await client.get(key);
  } finally {
    client.destroy();
  }
}

/** name → value of a SENTINEL MASTER reply (a flat list in RESP2). */
async function sentinelView(sentinel: RedisAddress, name: string, tls?: ConnectionOptions) {
  const reply = (await redisCommand(sentinel, ['SENTINEL', 'MASTER', name], tls)) as string[];
  return new Map(reply.flatMap((field, i) => (i % 2 === 0 ? [[field, reply[i + 1]!] as const] : [])));
}

async function replicaPorts(set: LocalRedisSentinel): Promise<number[]> {
  const reply = (await redisCommand(set.sentinels[0]!, [
    'SENTINEL',
    'REPLICAS',
    set.masterName,
  ])) as string[][];
  return reply.map((fields) => Number(fields[fields.indexOf('port') + 1])).sort();
}

describe('startLocalRedisSentinel', () => {
  let set: LocalRedisSentinel;
  beforeAll(async () => {
    set = await startLocalRedisSentinel();
  });
  afterAll(() => set?.stop());

  it('has three sentinels that each know the master, its two replicas and the two other sentinels', async () => {
    expect(set.masterName).toBe('mymaster');
    expect(set.url).toBe(
      `redis-sentinel://${set.sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',')}#mymaster`,
    );
    const master = await set.masterAddress();
    for (const sentinel of set.sentinels) {
      const view = await sentinelView(sentinel, set.masterName);
      expect(view.get('port')).toBe(String(master.port));
      expect(view.get('flags')).toBe('master');
      expect(view.get('num-slaves')).toBe('2');
      expect(view.get('num-other-sentinels')).toBe('2');
      expect(view.get('quorum')).toBe('2');
    }
    expect(infoField(await redisCommand(master, ['INFO', 'replication']), 'connected_slaves')).toBe('2');
  });

  it('stores and returns a value through node-redis', async () => {
    expect(await roundTrip(set, 'sentinel-key', 'hello')).toBe('hello');
  });

  // Last: it changes the set.
  it('promotes a replica when the master is killed, and serves through it', async () => {
    const replicas = await replicaPorts(set);
    const old = await set.killMaster();
    expect(await redisAnswersPing(old.host, old.port)).toBe(false);

    const startedAt = Date.now();
    let promoted: RedisAddress | undefined;
    await waitUntil(
      async () => {
        const views = await Promise.all(
          set.sentinels.map((sentinel) => sentinelView(sentinel, set.masterName)),
        );
        const ports = new Set(views.map((view) => Number(view.get('port'))));
        if (ports.size !== 1 || ports.has(old.port)) return false;
        promoted = await set.masterAddress();
        const role = infoField(await redisCommand(promoted, ['INFO', 'replication']), 'role');
        return role === 'master';
      },
      { what: `every sentinel to name a promoted replica instead of ${old.port}`, timeoutMs: 20_000 },
    );
    expect(Date.now() - startedAt).toBeLessThan(15_000); // ~2-4 s with down-after 1 s
    expect(replicas).toContain(promoted!.port);
    expect(await roundTrip(set, 'sentinel-key', 'after failover')).toBe('after failover');
  });
});

describe('startLocalRedisSentinel with mutual TLS', () => {
  let set: LocalRedisSentinel;
  beforeAll(async () => {
    set = await startLocalRedisSentinel({ tls: 'mutual' });
  });
  afterAll(() => set?.stop());

  it('serves node-redis over TLS with the client certificate, and nothing in plain text', async () => {
    expect(set.url).toMatch(
      /^rediss-sentinel:\/\/127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+#mymaster$/,
    );
    expect(await roundTrip(set, 'tls-key', 'over tls')).toBe('over tls');
    const master = await set.masterAddress();
    expect(await redisAnswersPing('127.0.0.1', master.port)).toBe(false);
    expect(await redisAnswersPing('127.0.0.1', set.sentinels[0]!.port)).toBe(false);
  });

  // Last: it ends the set.
  it('stop() kills the servers and the sentinels and removes the temp dir', async () => {
    const master = await set.masterAddress();
    await set.stop();
    for (const address of [master, ...set.sentinels])
      expect(await canConnect(address.host, address.port)).toBe(false);
    expect(existsSync(set.tls!.caCert)).toBe(false);
  });
});

describe('redisSentinelBackend', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('takes TEST_REDIS_SENTINEL_URL as it is, starting nothing', async () => {
    vi.stubEnv('TEST_REDIS_SENTINEL_URL', 'redis-sentinel://10.0.0.1:26379,10.0.0.2#prod');
    const backend = await redisSentinelBackend();
    expect(backend.url).toBe('redis-sentinel://10.0.0.1:26379,10.0.0.2#prod');
    expect(backend.sentinels).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26379 },
    ]);
    expect(backend.masterName).toBe('prod');
    await backend.stop();
  });

  it('names the variable when its URL lacks the master name', async () => {
    vi.stubEnv('TEST_REDIS_SENTINEL_URL', 'redis-sentinel://10.0.0.1:26379');
    await expect(redisSentinelBackend()).rejects.toThrow(
      /^TEST_REDIS_SENTINEL_URL: the master name is missing/,
    );
  });
});
