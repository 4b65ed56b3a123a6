/**
 * The body size limit: 413 from Content-Length before reading, or as soon as a chunked body passes
 * it. The key length limit with a STATE_PREFIX.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_META_BODY_BYTES } from '../http/meta-routes.js';
import { MAX_KEY_BYTES } from '../keys.js';
import { type ClientResponse, ConnectorClient, encodeKey } from '../testing/client.js';
import { asClientResponse, rawRequest } from '../testing/raw.js';
import type { StartedConnector } from '../testing/spawn.js';
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
      // 128 KiB in 16 KiB chunks, and the whole request in one write before the answer is read:
      // the client is never still writing while the 413 goes out, whenever the server sends it.
      const chunk = Buffer.alloc(16 * 1024, 3);
      const framed = Array.from({ length: 8 }, () => [
        Buffer.from(`${chunk.length.toString(16)}\r\n`),
        chunk,
        Buffer.from('\r\n'),
      ]).flat();
      const request = Buffer.concat([
        Buffer.from(
          `PUT /keys/${encodeKey(key)} HTTP/1.1\r\nHost: connector\r\n` +
            'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
        ),
        ...framed,
        Buffer.from('0\r\n\r\n'),
      ]);
      expectError(asClientResponse(await rawRequest(limited!.socketPath, request)), 413, 'too_large');
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

export function keyLimitTests(suite: Suite): void {
  // 8 bytes, unique to this run; with its one-byte separator the backend key has 9 bytes more.
  const prefix = `kp${randomBytes(3).toString('hex')}`;
  const fits = MAX_KEY_BYTES - prefix.length - 1;

  describe(`key length limit (STATE_PREFIX=${prefix})`, () => {
    let prefixed: StartedConnector | undefined;
    let client: ConnectorClient;

    beforeAll(async () => {
      prefixed = await suite.start({ STATE_PREFIX: prefix });
      client = new ConnectorClient(prefixed.socketPath);
    });
    afterAll(async () => {
      client?.close();
      await prefixed?.stop();
    });

    /** A key of `bytes` bytes in its own directory, so that tests do not share it. */
    const keyOf = (bytes: number) => {
      const dir = uniqueKey('k');
      return `${dir}/${'k'.repeat(bytes - dir.length - 1)}`;
    };
    const everyOperation = async (key: string): Promise<ClientResponse[]> => [
      await client.put(key, 'v'),
      await client.get(key),
      await client.head(key),
      await client.getMeta(key),
      await client.delete(key),
    ];

    it(`a key of ${MAX_KEY_BYTES} bytes less the prefix and its separator works for every operation`, async () => {
      const statuses = (await everyOperation(keyOf(fits))).map((res) => res.status);
      expect(statuses).toEqual([204, 200, 204, 200, 204]);
    });

    it('one byte more is 400 naming the limit before any backend call, or fits a backend that stores no prefix', async () => {
      const answers = await everyOperation(keyOf(fits + 1));
      if (answers[0]!.status === 204) {
        expect(answers.map((res) => res.status)).toEqual([204, 200, 204, 200, 204]);
        return;
      }
      for (const res of answers) {
        if (res.status === 400 && res.body.length === 0) continue; // HEAD: no body
        expectError(res, 400, 'bad_request');
        expect(res.body.toString()).toContain(`longer than ${fits} bytes`);
      }
      expect(answers.map((res) => res.status)).toEqual([400, 400, 400, 400, 400]);
    });
  });
}
