/**
 * The `ttl` extended attribute (docs/attributes.md), for variants that declare it: seconds left,
 * -1 without an expiry; a write clears it (as Redis SET does); 0 or less deletes the key.
 */
import { describe, expect, it } from 'vitest';
import { uniqueKey } from '../testing/unique-key.js';
import { expectError, json, type Suite } from './suite.js';

interface MetaAnswer {
  attr?: string;
  value?: string;
}

export function ttlTests(suite: Suite): void {
  describe('ttl attribute', () => {
    const ttlOf = async (key: string): Promise<number> => {
      const res = await suite.client.getMeta(key, 'ttl');
      expect(res.status).toBe(200);
      const answer = json(res) as MetaAnswer;
      expect(answer.attr).toBe('ttl');
      return Number(answer.value);
    };

    it('reads -1 without an expiry, the remaining seconds after a set', async () => {
      const key = uniqueKey('ttl');
      await suite.client.put(key, 'x');
      expect(await ttlOf(key)).toBe(-1);
      expect((await suite.client.setMeta(key, 'ttl', '300')).status).toBe(204);
      const ttl = await ttlOf(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(300);
    });

    it('a write replaces the value and clears the TTL', async () => {
      const key = uniqueKey('ttl-rewrite');
      await suite.client.put(key, 'x');
      await suite.client.setMeta(key, 'ttl', '300');
      expect((await suite.client.put(key, 'y')).status).toBe(204);
      expect(await ttlOf(key)).toBe(-1);
    });

    it('the key disappears once its TTL passes', async () => {
      const key = uniqueKey('ttl-expiring');
      await suite.client.put(key, 'x');
      expect((await suite.client.setMeta(key, 'ttl', '1')).status).toBe(204);
      // Polled, at most 10 s: the expiry is the backend's clock, not ours.
      const deadline = Date.now() + 10_000;
      let status = (await suite.client.get(key)).status;
      while (status !== 404 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await suite.client.get(key)).status;
      }
      expect(status).toBe(404);
      expect((await suite.client.getMeta(key, 'ttl')).status).toBe(404);
    });

    it('a TTL of 0 or less deletes the key', async () => {
      for (const value of ['0', '-5']) {
        const key = uniqueKey('ttl-delete');
        await suite.client.put(key, 'x');
        expect((await suite.client.setMeta(key, 'ttl', value)).status).toBe(204);
        expectError(await suite.client.get(key), 404, 'key_not_found');
      }
    });

    it('a key read and then deleted by ttl 0 is forgotten: the next plain write is not a conflict', async () => {
      const key = uniqueKey('ttl-forgotten');
      await suite.client.put(key, 'x');
      expect((await suite.client.get(key)).status).toBe(200);
      expect((await suite.client.setMeta(key, 'ttl', '0')).status).toBe(204);
      expect((await suite.client.put(key, 'y')).status).toBe(204);
    });

    it('a TTL that is not an integer number of seconds is 400 bad_request and changes nothing', async () => {
      const key = uniqueKey('ttl-bad');
      await suite.client.put(key, 'x');
      for (const value of ['1.5', 'abc', '', '1e3', '10s', '99999999999999999999']) {
        expectError(await suite.client.setMeta(key, 'ttl', value), 400, 'bad_request');
      }
      expect(await ttlOf(key)).toBe(-1);
    });

    it('a missing key is 404 for reading and writing the TTL', async () => {
      const key = uniqueKey('ttl-missing');
      expectError(await suite.client.getMeta(key, 'ttl'), 404, 'key_not_found');
      expectError(await suite.client.setMeta(key, 'ttl', '10'), 404, 'key_not_found');
    });
  });
}
