/** Bad input gets a clear 400 and loses nothing; after every bad request the server still serves. */
import { afterEach, describe, expect, it } from 'vitest';
import { abandonedUpload, rawRequest } from '../testing/raw.js';
import { expectError, type Suite, uniqueKey } from './suite.js';

export function badInputTests(suite: Suite): void {
  describe('bad input', () => {
    afterEach(async () => {
      const health = await suite.client.request({ method: 'GET', path: '/healthz' });
      expect(health.status).toBe(200);
    });

    const invalidKeys: Array<[string, RegExp]> = [
      ['a//b', /empty path segment/],
      ['a/./b', /'\.' path segment/],
      ['a/../b', /'\.\.' path segment/],
      ['..', /'\.\.' path segment/],
      ['a/', /must not end with '\/'/],
      ['%2Fabs', /must not start with '\/'/],
      ['bad%01control', /control character/],
      ['bad%7Fdel', /control character/],
      ['bad%FFutf8', /not valid UTF-8/],
    ];

    it.each(invalidKeys)(
      'GET, PUT, DELETE and /meta of key %s are 400 bad_request naming the rule',
      async (raw, rule) => {
        for (const [method, path] of [
          ['GET', `/keys/${raw}`],
          ['PUT', `/keys/${raw}`],
          ['DELETE', `/keys/${raw}`],
          ['GET', `/meta/${raw}`],
        ] as const) {
          const res = await suite.client.request({
            method,
            path,
            body: method === 'PUT' ? 'lost?' : undefined,
          });
          expectError(res, 400, 'bad_request');
          expect((JSON.parse(res.body.toString()) as { message: string }).message).toMatch(rule);
        }
        const head = await suite.client.request({ method: 'HEAD', path: `/keys/${raw}` });
        expect(head.status).toBe(400);
        expect(head.body.length).toBe(0);
      },
    );

    it('an empty key (/keys/ with a method other than GET or HEAD, /meta/) is rejected', async () => {
      expectError(await suite.client.request({ method: 'GET', path: '/meta/' }), 400, 'bad_request');
      expectError(
        await suite.client.request({ method: 'PUT', path: '/keys/', body: 'x' }),
        405,
        'method_not_allowed',
      );
    });

    it('a malformed Content-Length is 400 and the connection is closed cleanly', async () => {
      const res = await rawRequest(
        suite.socketPath,
        'PUT /keys/malformed HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nhello',
      );
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'bad_request' });
    });

    it('an Expect other than 100-continue is 417 expectation_failed in JSON, and nothing is written', async () => {
      const key = uniqueKey('expect');
      const res = await rawRequest(
        suite.socketPath,
        `PUT /keys/${key} HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\nContent-Length: 5\r\n\r\nhello`,
      );
      expect(res.status).toBe(417);
      expect(res.head).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'expectation_failed', message: /200-ok/ });
      expectError(await suite.client.get(key), 404, 'key_not_found');
    });

    it('CONNECT is 405 method_not_allowed in JSON, not a closed connection', async () => {
      const res = await rawRequest(suite.socketPath, 'CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(res.status).toBe(405);
      expect(res.head).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'method_not_allowed', message: /CONNECT/ });
    });

    it('a request that is not HTTP at all is 400', async () => {
      const res = await rawRequest(suite.socketPath, 'HELLO\r\n\r\n');
      expect(res.status).toBe(400);
    });

    it('a client that disconnects mid-body writes nothing', async () => {
      const key = uniqueKey('abandoned');
      await abandonedUpload(suite.socketPath, `/keys/${key}`, 100_000, Buffer.alloc(10_000, 1));
      expectError(await suite.client.get(key), 404, 'key_not_found');
    });

    it('a client that disconnects mid-body leaves an existing value untouched', async () => {
      const key = uniqueKey('abandoned-overwrite');
      await suite.client.put(key, 'original');
      await abandonedUpload(suite.socketPath, `/keys/${key}`, 100_000, Buffer.alloc(10_000, 2));
      expect((await suite.client.get(key)).body.toString()).toBe('original');
    });
  });
}
