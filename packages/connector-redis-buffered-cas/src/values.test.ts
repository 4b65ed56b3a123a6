/** Values are bytes: every byte value survives, and large values round-trip. */

import { createHash, randomBytes } from 'node:crypto';
import { ConnectorClient, type SpawnedConnector } from '@state-proxy/connector-core/testing';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directRedis, startRedisConnector, uniquePrefix } from './testing/helpers.js';

const MiB = 1024 * 1024;
const sha1 = (data: Buffer) => createHash('sha1').update(data).digest('hex');

let redis: RedisBackend;
let connector: SpawnedConnector;
let client: ConnectorClient;
const prefix = uniquePrefix('values');

beforeAll(async () => {
  redis = await redisBackend();
  connector = await startRedisConnector(redis.url, { STATE_PREFIX: prefix });
  client = new ConnectorClient(connector.socketPath);
});
afterAll(async () => {
  client?.close();
  await connector?.stop();
  await redis?.stop();
});

describe('binary values', () => {
  it('keeps every byte value 0..255, including invalid UTF-8 sequences', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const value = Buffer.concat([bytes, bytes.reverse(), Buffer.from([0xc3, 0x28, 0xff, 0x00, 0x0d, 0x0a])]);
    const put = await client.put('bin/all-bytes', value);
    expect(put.status).toBe(204);
    const got = await client.get('bin/all-bytes');
    expect(got.status).toBe(200);
    expect(got.headers['content-length']).toBe(String(value.length));
    expect(Buffer.compare(got.body, value)).toBe(0);
    expect(got.headers.etag).toBe(`"${sha1(value)}"`);
    const head = await client.head('bin/all-bytes');
    expect(head.headers['content-length']).toBe(String(value.length));
    expect(head.headers.etag).toBe(`"${sha1(value)}"`);
    // Byte-exact in Redis as well.
    const direct = await directRedis(redis.url);
    try {
      expect(Buffer.compare((await direct.get(`${prefix}:bin/all-bytes`)) as Buffer, value)).toBe(0);
    } finally {
      direct.destroy();
    }
  });

  it('an empty value is a key of length 0', async () => {
    expect((await client.put('bin/empty', Buffer.alloc(0))).status).toBe(204);
    const got = await client.get('bin/empty');
    expect(got.status).toBe(200);
    expect(got.headers['content-length']).toBe('0');
    expect(got.headers.etag).toBe(`"${sha1(Buffer.alloc(0))}"`);
    // An empty GETRANGE answer is a missing key or an empty value: HEAD tells them apart too.
    const head = await client.head('bin/empty');
    expect([
      head.status,
      head.headers['content-length'],
      head.headers['x-is-file'],
      head.headers.etag,
    ]).toEqual([204, '0', 'true', `"${sha1(Buffer.alloc(0))}"`]);
    expect((await client.head('bin/never-written')).status).toBe(404);
  });

  it('a HEAD racing replaces always answers the length and ETag of one version', async () => {
    // Empty, inline and above the 16 KiB a HEAD hashes here: every path a HEAD can take.
    const versions = [Buffer.alloc(0), Buffer.alloc(100, 'a'), Buffer.alloc(20 * 1024, 'b')];
    const pairs = versions.map((v) => [String(v.length), `"${sha1(v)}"`]);
    expect((await client.put('race/head', versions[0]!)).status).toBe(204);
    const writer = (async () => {
      for (let i = 1; i <= 150; i++) {
        expect((await client.put('race/head', versions[i % 3]!)).status).toBe(204);
      }
    })();
    const seen = new Set<string>();
    const reader = (async () => {
      for (let i = 0; i < 300; i++) {
        const head = await client.head('race/head');
        expect(head.status).toBe(204);
        expect(pairs).toContainEqual([head.headers['content-length'], head.headers.etag]);
        seen.add(String(head.headers['content-length']));
      }
    })();
    await Promise.all([writer, reader]);
    expect(seen.size).toBeGreaterThan(0);
  });

  it('a 20 MiB value round-trips (staged in Redis on the way in)', async () => {
    const value = randomBytes(20 * MiB);
    expect((await client.put('bin/large', value)).status).toBe(204);
    const got = await client.get('bin/large');
    expect(got.status).toBe(200);
    expect(got.headers['content-length']).toBe(String(value.length));
    expect(sha1(got.body)).toBe(sha1(value));
    expect((await client.head('bin/large')).headers.etag).toBe(`"${sha1(value)}"`);
  });
});
