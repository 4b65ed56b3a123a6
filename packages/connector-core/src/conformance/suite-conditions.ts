/** Exclusive create (If-None-Match: *) and explicit compare-and-set (If-Match). */
import { describe, expect, it } from 'vitest';
import { expectError, type Suite, uniqueKey } from './suite.js';

export function conditionTests(suite: Suite): void {
  describe('conditional writes', () => {
    it('If-None-Match: * creates a new key and is 409 conflict when the key exists', async () => {
      const key = uniqueKey('exclusive');
      expect((await suite.client.put(key, 'first', { ifNoneMatch: '*' })).status).toBe(204);
      expectError(await suite.client.put(key, 'second', { ifNoneMatch: '*' }), 409, 'conflict');
      expect((await suite.client.get(key)).body.toString()).toBe('first');
    });

    it('concurrent exclusive creates of one key: exactly one wins', async () => {
      const key = uniqueKey('race');
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => suite.client.put(key, `writer-${i}`, { ifNoneMatch: '*' })),
      );
      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([204, 409, 409, 409, 409, 409, 409, 409]);
      const winner = results.findIndex((res) => res.status === 204);
      expect((await suite.client.get(key)).body.toString()).toBe(`writer-${winner}`);
    });

    it('If-Match with the current ETag writes; with a stale one it is 409 conflict', async () => {
      const key = uniqueKey('if-match');
      const first = await suite.client.put(key, 'v1');
      const second = await suite.client.put(key, 'v2', { ifMatch: first.headers.etag as string });
      expect(second.status).toBe(204);
      expectError(
        await suite.client.put(key, 'v3', { ifMatch: first.headers.etag as string }),
        409,
        'conflict',
      );
      expect((await suite.client.get(key)).body.toString()).toBe('v2');
      // The ETag from a GET works as well, quoted as served.
      const get = await suite.client.get(key);
      expect((await suite.client.put(key, 'v4', { ifMatch: get.headers.etag as string })).status).toBe(204);
    });

    it('If-Match on a missing key is 409 conflict, not 404', async () => {
      const key = uniqueKey('if-match-missing');
      const created = await suite.client.put(key, 'x');
      await suite.client.delete(key);
      expectError(
        await suite.client.put(key, 'y', { ifMatch: created.headers.etag as string }),
        409,
        'conflict',
      );
      expectError(await suite.client.get(key), 404, 'key_not_found');
    });

    it('If-None-Match other than *, or both conditions at once, is 400 bad_request', async () => {
      const key = uniqueKey('bad-condition');
      const res = await suite.client.request({
        method: 'PUT',
        path: `/keys/${key}`,
        headers: { 'if-none-match': '"abc"' },
        body: 'x',
      });
      expectError(res, 400, 'bad_request');
      const both = await suite.client.request({
        method: 'PUT',
        path: `/keys/${key}`,
        headers: { 'if-none-match': '*', 'if-match': '"abc"' },
        body: 'x',
      });
      expectError(both, 400, 'bad_request');
      expectError(await suite.client.get(key), 404, 'key_not_found');
    });
  });
}
