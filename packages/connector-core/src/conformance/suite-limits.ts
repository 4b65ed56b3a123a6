/** The body size limit: 413 from Content-Length before reading, or as soon as a chunked body passes it. */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorClient } from '../client.js';
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
