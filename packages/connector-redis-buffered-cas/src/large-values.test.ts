/**
 * Values larger than one chunk, with a memory budget far smaller than they are and no writable
 * directory: they stream into Redis and come back in chunks, byte-identical, with the same write
 * conditions as small values, and leave no staging key behind; then the staging checks every
 * topology shares (testing/staging-checks.ts) on one server.
 */

import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ConnectorClient, type SpawnedConnector } from '@state-proxy/connector-core/testing';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_BYTES, INLINE_READ_BYTES } from './large-values.js';
import { directRedis, noDiskEnv, startRedisConnector, uniquePrefix } from './testing/helpers.js';
import { describeStaging, stagingKeysOn } from './testing/staging-checks.js';

const MiB = 1024 * 1024;
const BUDGET = 1 * MiB;
const sha1 = (data: Buffer) => createHash('sha1').update(data).digest('hex');
const quoted = (data: Buffer) => `"${sha1(data)}"`;

let redis: RedisBackend;
let connector: SpawnedConnector;
let client: ConnectorClient;
let disk: Awaited<ReturnType<typeof noDiskEnv>>;
const prefix = uniquePrefix('large');

beforeAll(async () => {
  redis = await redisBackend();
  disk = await noDiskEnv();
  connector = await startRedisConnector(redis.url, {
    STATE_PREFIX: prefix,
    STATE_MEMORY_BUDGET_BYTES: String(BUDGET),
    ...disk.env,
  });
  client = new ConnectorClient(connector.socketPath);
});
afterAll(async () => {
  client?.close();
  await connector?.stop();
  await redis?.stop();
  await disk?.remove();
});

/** Every Redis key under our prefix, staging keys included. */
async function storedKeys(): Promise<string[]> {
  const direct = await directRedis(redis.url);
  try {
    const keys: string[] = [];
    for await (const batch of direct.scanIterator({ MATCH: `${prefix}:*` })) {
      keys.push(...batch.map((key) => key.toString()));
    }
    return keys.sort();
  } finally {
    direct.destroy();
  }
}

describe('values larger than the memory budget', () => {
  it('a 12 MiB value round-trips byte-identical, chunked both ways (Content-Length and chunked bodies)', async () => {
    const value = randomBytes(12 * MiB);
    expect((await client.put('big/sized', value)).status).toBe(204);
    // Without Content-Length: streamed into a staging key as it arrives.
    const put = await client.put(
      'big/chunked',
      Readable.from([value.subarray(0, 5 * MiB), value.subarray(5 * MiB)]),
    );
    expect(put.status).toBe(204);
    expect(put.headers.etag).toBe(quoted(value));
    for (const key of ['big/sized', 'big/chunked']) {
      const got = await client.get(key);
      expect(got.status).toBe(200);
      expect(got.headers['content-length']).toBe(String(value.length));
      expect(got.headers.etag).toBe(quoted(value));
      expect(got.body.equals(value)).toBe(true);
      // Too large to hash within the base deadline: the stat asks again with a sized one.
      const head = await client.head(key);
      expect(head.status).toBe(204);
      expect(head.headers['content-length']).toBe(String(value.length));
      expect(head.headers.etag).toBe(quoted(value));
    }
    expect(await storedKeys()).toEqual([`${prefix}:big/chunked`, `${prefix}:big/sized`]);
  });

  it('sizes around the whole-read and chunk boundaries round-trip, sized and chunked', async () => {
    for (const size of [
      0,
      INLINE_READ_BYTES - 1,
      INLINE_READ_BYTES,
      INLINE_READ_BYTES + 1,
      CHUNK_BYTES - 1,
      CHUNK_BYTES,
      CHUNK_BYTES + 1,
      3 * CHUNK_BYTES,
      3 * CHUNK_BYTES + 7,
    ]) {
      const value = randomBytes(size);
      // Chunked in pieces that do not fall on chunk boundaries.
      const pieces = () => Readable.from([value.subarray(0, 1000), value.subarray(1000)]);
      for (const [how, body] of [
        ['sized', value],
        ['chunked', pieces()],
      ] as const) {
        const key = `edge/${how}/${size}`;
        const put = await client.put(key, body);
        expect({ key, status: put.status, etag: put.headers.etag }).toEqual({
          key,
          status: 204,
          etag: quoted(value),
        });
        const got = await client.get(key);
        expect(got.body.equals(value)).toBe(true);
        expect(got.headers.etag).toBe(quoted(value));
        // HEAD: up to 16 KiB hashed here from one GETRANGE, above by the script in Redis.
        const head = await client.head(key);
        expect([head.headers['content-length'], head.headers.etag]).toEqual([String(size), quoted(value)]);
      }
    }
    expect((await storedKeys()).filter((key) => key.includes('\u0000'))).toEqual([]);
  });

  it('eight concurrent 4 MiB uploads (32x the budget) all succeed and leave no staging key', async () => {
    const values = Array.from({ length: 8 }, () => randomBytes(4 * MiB));
    const puts = await Promise.all(values.map((value, i) => client.put(`many/${i}`, value)));
    expect(puts.map((res) => res.status)).toEqual(values.map(() => 204));
    const gets = await Promise.all(values.map((_, i) => client.get(`many/${i}`)));
    expect(gets.map((got) => sha1(got.body))).toEqual(values.map(sha1));
    expect((await storedKeys()).filter((key) => key.startsWith(`${prefix}:many/`))).toHaveLength(8);
  });

  it('a chunked write honours If-Match and If-None-Match like a small one', async () => {
    const first = randomBytes(2 * MiB);
    const second = randomBytes(2 * MiB);
    expect((await client.put('cond/k', first, { ifNoneMatch: '*' })).status).toBe(204);
    expect((await client.put('cond/k', second, { ifNoneMatch: '*' })).status).toBe(409);
    // Another writer replaced the value: a write expecting the first version conflicts.
    const other = new ConnectorClient(connector.socketPath);
    expect((await other.put('cond/k', second)).status).toBe(204);
    other.close();
    expect((await client.put('cond/k', first, { ifMatch: quoted(first) })).status).toBe(409);
    expect((await client.put('cond/k', first, { ifMatch: quoted(second) })).status).toBe(204);
    expect((await client.put('cond/gone', first, { ifMatch: quoted(first) })).status).toBe(409);
    expect(sha1((await client.get('cond/k')).body)).toBe(sha1(first));
    // Every losing upload removed its staging key.
    expect((await storedKeys()).filter((key) => key.startsWith(`${prefix}:cond/`))).toEqual([
      `${prefix}:cond/k`,
    ]);
  });

  it('a small write conditional on a large stored value compares it whole (hashed in a second, longer call)', async () => {
    const large = randomBytes(3 * MiB); // above what Redis hashes within one call's base deadline
    const small = Buffer.from('small');
    expect((await client.put('cond/large', large)).status).toBe(204);
    expect((await client.put('cond/large', small, { ifMatch: quoted(small) })).status).toBe(409);
    expect((await client.put('cond/large', small, { ifMatch: quoted(large) })).status).toBe(204);
    expect((await client.get('cond/large')).body).toEqual(small);
  });

  it('a chunked write clears the TTL, as a small write does', async () => {
    expect((await client.put('ttl/k', randomBytes(MiB))).status).toBe(204);
    expect((await client.setMeta('ttl/k', 'ttl', '100')).status).toBe(204);
    expect((await client.put('ttl/k', randomBytes(MiB))).status).toBe(204);
    const ttl = await client.getMeta('ttl/k', 'ttl');
    expect(JSON.parse(ttl.body.toString()).value).toBe('-1');
  });

  it('a read racing replaces never returns mixed bytes', async () => {
    const a = Buffer.alloc(4 * MiB, 'a');
    const b = Buffer.alloc(4 * MiB, 'b');
    expect((await client.put('race/k', a)).status).toBe(204);
    let writes = 0;
    let reads = 0;
    let cut = 0;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) {
        expect((await client.put('race/k', i % 2 === 0 ? b : a)).status).toBe(204);
        writes++;
      }
    })();
    const reader = (async () => {
      for (let i = 0; i < 40 && writes < 20; i++) {
        // A read that saw the value change is cut short (the request fails): allowed, wrong bytes are not.
        const got = await client.get('race/k').catch(() => undefined);
        if (got === undefined) {
          cut++;
          continue;
        }
        reads++;
        const whole = got.body.equals(a) ? a : b;
        expect(got.body.equals(whole)).toBe(true);
        expect(got.headers.etag).toBe(quoted(whole));
      }
    })();
    await Promise.all([writer, reader]);
    expect(reads + cut).toBeGreaterThan(0);
  });
});

describeStaging(
  'one server',
  () => ({
    url: redis.url,
    stagingKeys: async (under) => {
      const direct = await directRedis(redis.url);
      try {
        return await stagingKeysOn((args) => direct.sendCommand(args), under);
      } finally {
        direct.destroy();
      }
    },
    remove: async (name) => {
      const direct = await directRedis(redis.url);
      try {
        await direct.del(name);
      } finally {
        direct.destroy();
      }
    },
  }),
  { largeBytes: 64 * MiB },
);
