/** The body size limit: 413 from Content-Length before reading, or as soon as a chunked body passes it. */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorClient, encodeKey } from '../client.js';
import { MAX_META_BODY_BYTES } from '../http/meta-routes.js';
import type { StartedConnector } from '../spawn.js';
import { expectError, type Suite, uniqueKey } from './suite.js';

const LIMIT = 64 * 1024;

export function limitTests(suite: Suite): void {
  describe(`size limit (STATE_MAX_BODY_BYTES=${LIMIT})`, () => {
    let limited: StartedConnector | undefined;
    let client: ConnectorClient;

    beforeAll(async () => {
      limited = await suite.start({ STATE_MAX_BODY_BYTES: String(LIMIT) });
      client = new ConnectorClient(limited.socketPath);
    });
    afterAll(async () => {
      client?.close();
      await limited?.stop();
    });

    it('a body of exactly the limit is accepted', async () => {
      const key = uniqueKey('at-limit');
      expect((await client.put(key, Buffer.alloc(LIMIT, 7))).status).toBe(204);
      expect((await client.get(key)).body.length).toBe(LIMIT);
    });

    it('a Content-Length above the limit is 413 too_large and nothing is written', async () => {
      const key = uniqueKey('over-limit');
      expectError(await client.put(key, Buffer.alloc(LIMIT + 1, 7)), 413, 'too_large');
      expectError(await client.get(key), 404, 'key_not_found');
    });

    it('a chunked body that passes the limit is 413 too_large and nothing is written', async () => {
      const key = uniqueKey('chunked-over-limit');
      const chunks = Array.from({ length: 8 }, () => Buffer.alloc(16 * 1024, 3));
      expectError(await client.put(key, Readable.from(chunks)), 413, 'too_large');
      expectError(await client.get(key), 404, 'key_not_found');
      expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
    });
  });
}

/** `/meta` bodies are small by definition: bounded whether they come chunked or with a length. */
export function metaLimitTests(suite: Suite): void {
  describe(`attribute body limit (${MAX_META_BODY_BYTES} bytes)`, () => {
    const metaPath = (key: string) => `/meta/${encodeKey(key)}?attr=ttl`;

    it('a chunked /meta body above the limit is 413 too_large and the key is untouched', async () => {
      const key = uniqueKey('meta-chunked');
      expect((await suite.client.put(key, 'kept')).status).toBe(204);
      // 1 MiB in 16 KiB chunks, 16x the limit: read and dropped, never held.
      const chunks = Array.from({ length: 64 }, () => Buffer.alloc(16 * 1024, 0x20));
      const res = await suite.client.request({
        method: 'PUT',
        path: metaPath(key),
        body: Readable.from(chunks),
      });
      expectError(res, 413, 'too_large');
      expect((await suite.client.get(key)).body.toString()).toBe('kept');
      expect((await suite.client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
    });

    it('a /meta Content-Length above the limit is 413 too_large before the body is read', async () => {
      const key = uniqueKey('meta-length');
      expect((await suite.client.put(key, 'kept')).status).toBe(204);
      const body = JSON.stringify({ value: 'x'.repeat(MAX_META_BODY_BYTES) });
      expectError(await suite.client.request({ method: 'PUT', path: metaPath(key), body }), 413, 'too_large');
      expect((await suite.client.get(key)).body.toString()).toBe('kept');
    });
  });
}
