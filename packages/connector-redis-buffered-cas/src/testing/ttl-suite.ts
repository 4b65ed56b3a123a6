/**
 * The `ttl` extended attribute (docs/attributes.md#redis-ttl) against a real Redis, whatever its
 * topology. Run by ttl.test.ts (one server), sentinel.test.ts and cluster.test.ts, unchanged.
 */
import { ConnectorClient } from '@state-proxy/connector-core';
import type { SpawnedConnector } from '@state-proxy/connector-core/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisConnector, uniquePrefix, waitFor } from './helpers.js';

/** The suite against the Redis that `redisUrl()` names once the file's beforeAll has run. */
export function describeTtl(topology: string, redisUrl: () => string): void {
  describe(`ttl attribute (${topology})`, () => {
    let connector: SpawnedConnector;
    let client: ConnectorClient;
    beforeAll(async () => {
      connector = await startRedisConnector(redisUrl(), { STATE_PREFIX: uniquePrefix('ttl') });
      client = new ConnectorClient(connector.socketPath);
    });
    afterAll(async () => {
      client?.close();
      await connector?.stop();
    });

    function body(res: { body: Buffer }): {
      error?: string;
      attr?: string;
      value?: string;
      attrs?: string[];
    } {
      return JSON.parse(res.body.toString());
    }

    async function ttlOf(key: string): Promise<number> {
      const res = await client.getMeta(key, 'ttl');
      expect(res.status).toBe(200);
      expect(body(res).attr).toBe('ttl');
      return Number(body(res).value);
    }

    it('lists ttl as the only attribute of an existing key', async () => {
      await client.put('attrs/key', 'x');
      const res = await client.getMeta('attrs/key');
      expect(res.status).toBe(200);
      expect(body(res)).toEqual({ attrs: ['ttl'] });
    });

    it('reads -1 without an expiry, the remaining seconds after a set', async () => {
      await client.put('ttl/key', 'x');
      expect(await ttlOf('ttl/key')).toBe(-1);
      expect((await client.setMeta('ttl/key', 'ttl', '300')).status).toBe(204);
      const ttl = await ttlOf('ttl/key');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300);
    });

    it('a write replaces the value and clears the TTL, as Redis SET does', async () => {
      await client.put('ttl/rewrite', 'x');
      await client.setMeta('ttl/rewrite', 'ttl', '300');
      expect(await ttlOf('ttl/rewrite')).toBeGreaterThan(0);
      expect((await client.put('ttl/rewrite', 'y')).status).toBe(204);
      expect(await ttlOf('ttl/rewrite')).toBe(-1);
    });

    it('the key disappears once its TTL passes', async () => {
      await client.put('ttl/expiring', 'x');
      expect((await client.setMeta('ttl/expiring', 'ttl', '1')).status).toBe(204);
      const status = await waitFor(
        'the key to expire',
        async () => {
          const res = await client.get('ttl/expiring');
          return res.status === 404 ? res.status : undefined;
        },
        { timeoutMs: 10_000 },
      );
      expect(status).toBe(404);
      expect((await client.getMeta('ttl/expiring', 'ttl')).status).toBe(404);
    });

    it('a TTL of 0 or less deletes the key, as Redis does', async () => {
      await client.put('ttl/zero', 'x');
      expect((await client.setMeta('ttl/zero', 'ttl', '0')).status).toBe(204);
      expect((await client.get('ttl/zero')).status).toBe(404);
      await client.put('ttl/negative', 'x');
      expect((await client.setMeta('ttl/negative', 'ttl', '-5')).status).toBe(204);
      expect((await client.get('ttl/negative')).status).toBe(404);
    });

    it('a key read and then deleted by ttl 0 is forgotten: the next plain write is not a conflict', async () => {
      await client.put('ttl/forgotten', 'x');
      expect((await client.get('ttl/forgotten')).status).toBe(200);
      expect((await client.setMeta('ttl/forgotten', 'ttl', '0')).status).toBe(204);
      expect((await client.put('ttl/forgotten', 'y')).status).toBe(204);
    });

    it('a non-integer TTL is 400 bad_request and changes nothing', async () => {
      await client.put('ttl/bad', 'x');
      for (const value of ['1.5', 'abc', '', '1e3', '10s', '99999999999999999999']) {
        const res = await client.setMeta('ttl/bad', 'ttl', value);
        expect({ value, status: res.status, error: body(res).error }).toEqual({
          value,
          status: 400,
          error: 'bad_request',
        });
      }
      expect(await ttlOf('ttl/bad')).toBe(-1);
    });

    it('a missing key is 404 for listing, reading and writing the TTL', async () => {
      expect((await client.getMeta('ttl/missing')).status).toBe(404);
      expect((await client.getMeta('ttl/missing', 'ttl')).status).toBe(404);
      const set = await client.setMeta('ttl/missing', 'ttl', '10');
      expect(set.status).toBe(404);
      expect(body(set).error).toBe('key_not_found');
    });

    it('any other attribute is 400 unsupported_attribute', async () => {
      await client.put('ttl/other', 'x');
      for (const res of [
        await client.getMeta('ttl/other', 'etag'),
        await client.setMeta('ttl/other', 'size', '1'),
      ]) {
        expect(res.status).toBe(400);
        expect(body(res).error).toBe('unsupported_attribute');
      }
    });
  });
}
