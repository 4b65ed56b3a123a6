/**
 * Clients that stall, and shutdown in the middle of an upload: a body that stops arriving is
 * answered 408 and nothing is written, a slow but moving one is not cut, one that trickles in for
 * longer than the whole-body deadline is answered 408, headers that never end are answered 408,
 * and an upload cut by the shutdown grace leaves no spool file behind.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorClient, encodeKey } from '../testing/client.js';
import { rawRequest, trickledRequest } from '../testing/raw.js';
import type { StartedConnector } from '../testing/spawn.js';
import { expectError, type Suite, uniqueKey } from './suite.js';

const BODY_IDLE_MS = 600;
const HEADERS_MS = 400;

/** Spool files in `dir` (bodies go to a file from their first byte with STATE_SPOOL_MEMORY_BYTES=0). */
const spoolFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.includes('spool'));

export function stallTests(suite: Suite): void {
  describe('stalled clients', () => {
    let spoolDir: string;
    let stalls: StartedConnector | undefined;
    let client: ConnectorClient;

    beforeAll(async () => {
      spoolDir = await mkdtemp(join(tmpdir(), 'stall-spool-'));
      stalls = await suite.start({
        CONNECTOR_BODY_IDLE_TIMEOUT_MS: String(BODY_IDLE_MS),
        CONNECTOR_HEADERS_TIMEOUT_MS: String(HEADERS_MS),
        STATE_SPOOL_DIR: spoolDir,
        STATE_SPOOL_MEMORY_BYTES: '0',
      });
      client = new ConnectorClient(stalls.socketPath);
    });
    afterAll(async () => {
      client?.close();
      await stalls?.stop();
      await rm(spoolDir, { recursive: true, force: true });
    });

    it('a body that stops before its Content-Length is 408 request_timeout, closed, nothing written', async () => {
      const key = uniqueKey('stalled-length');
      const res = await rawRequest(
        stalls!.socketPath,
        `PUT /keys/${encodeKey(key)} HTTP/1.1\r\nHost: c\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`,
      );
      expect(res.status).toBe(408);
      expect(res.head).toMatch(/\r\nconnection: close/i);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
      expectError(await client.get(key), 404, 'key_not_found');
      expect(await spoolFiles(spoolDir)).toEqual([]);
    });

    it('a chunked body that stops arriving is 408 and its spool file is removed', async () => {
      const key = uniqueKey('stalled-chunked');
      const chunk = 'y'.repeat(64 * 1024);
      const res = await rawRequest(
        stalls!.socketPath,
        `PUT /keys/${encodeKey(key)} HTTP/1.1\r\nHost: c\r\nTransfer-Encoding: chunked\r\n\r\n` +
          `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
      );
      expect(res.status).toBe(408);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
      expectError(await client.get(key), 404, 'key_not_found');
      expect(await spoolFiles(spoolDir)).toEqual([]);
    });

    it('a /meta body that stops arriving is 408 too', async () => {
      const key = uniqueKey('stalled-meta');
      const res = await rawRequest(
        stalls!.socketPath,
        `PUT /meta/${encodeKey(key)}?attr=ttl HTTP/1.1\r\nHost: c\r\nContent-Length: 50\r\n\r\n{"value"`,
      );
      expect(res.status).toBe(408);
    });

    it('a slow body that keeps moving is not cut: more than the idle timeout in all, 204', async () => {
      const key = uniqueKey('slow-moving');
      const pieces = 12;
      const pieceMs = BODY_IDLE_MS / 6;
      // Paced by the sender, as a slow network would; the whole takes twice the idle timeout.
      const body = Readable.from(
        (async function* () {
          for (let i = 0; i < pieces; i++) {
            yield Buffer.alloc(1024, i);
            await new Promise((resolve) => setTimeout(resolve, pieceMs));
          }
        })(),
      );
      expect((await client.put(key, body)).status).toBe(204);
      expect((await client.get(key)).body.length).toBe(pieces * 1024);
      expect(await spoolFiles(spoolDir)).toEqual([]);
    });

    it('headers that never end are 408 request_timeout in JSON', async () => {
      const res = await rawRequest(stalls!.socketPath, 'GET /keys/ HTTP/1.1\r\nHost: c\r\nX-Partial: ');
      expect(res.status).toBe(408);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
    });
  });

  describe('a body that trickles in', () => {
    // A byte every 20 ms is never silent for the idle timeout; the whole body takes 4 s.
    const BODY_MS = 300;
    const BYTES = 200;
    let spoolDir: string;
    let trickles: StartedConnector | undefined;
    let client: ConnectorClient;

    beforeAll(async () => {
      spoolDir = await mkdtemp(join(tmpdir(), 'trickle-spool-'));
      trickles = await suite.start({
        CONNECTOR_BODY_TIMEOUT_MS: String(BODY_MS),
        CONNECTOR_BODY_IDLE_TIMEOUT_MS: '10000',
        STATE_SPOOL_DIR: spoolDir,
      });
      client = new ConnectorClient(trickles.socketPath);
    });
    afterAll(async () => {
      client?.close();
      await trickles?.stop();
      await rm(spoolDir, { recursive: true, force: true });
    });

    it('a body of a declared length not whole within CONNECTOR_BODY_TIMEOUT_MS is 408, nothing written', async () => {
      const key = uniqueKey('trickle-length');
      const res = await trickledRequest(
        trickles!.socketPath,
        `PUT /keys/${encodeKey(key)} HTTP/1.1\r\nHost: c\r\nConnection: close\r\nContent-Length: ${BYTES}\r\n\r\n`,
        Array.from({ length: BYTES }, () => 'x'),
        20,
      );
      expect(res.status).toBe(408);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
      expectError(await client.get(key), 404, 'key_not_found');
      expect(await spoolFiles(spoolDir)).toEqual([]);
    });

    it('a chunked body trickling a byte per chunk is cut the same way', async () => {
      const key = uniqueKey('trickle-chunked');
      const res = await trickledRequest(
        trickles!.socketPath,
        `PUT /keys/${encodeKey(key)} HTTP/1.1\r\nHost: c\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n`,
        [...Array.from({ length: BYTES }, () => '1\r\ny\r\n'), '0\r\n\r\n'],
        20,
      );
      expect(res.status).toBe(408);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'request_timeout' });
      expectError(await client.get(key), 404, 'key_not_found');
      expect(await spoolFiles(spoolDir)).toEqual([]);
    });
  });

  describe('shutdown during an upload', () => {
    it('an upload cut by the grace period leaves no spool file behind', async () => {
      const spoolDir = await mkdtemp(join(tmpdir(), 'cut-spool-'));
      const graceMs = 1_000;
      const connector = await suite.start({
        CONNECTOR_SHUTDOWN_GRACE_MS: String(graceMs),
        STATE_SPOOL_DIR: spoolDir,
        STATE_SPOOL_MEMORY_BYTES: '0',
      });
      const client = new ConnectorClient(connector.socketPath);
      try {
        // A chunked upload that never ends: 1 MiB, then silence.
        const key = uniqueKey('cut-by-shutdown');
        const body = new Readable({ read() {} });
        const upload = client.put(key, body).catch((error: unknown) => error);
        body.push(Buffer.alloc(1024 * 1024, 5));
        // In flight: the upload and the request that asks.
        for (let attempt = 0; ; attempt++) {
          const metrics = (await client.request({ method: 'GET', path: '/metrics' })).body.toString();
          if (/state_proxy_requests_in_flight 2/.test(metrics)) break;
          if (attempt > 500) throw new Error('the upload never reached the server');
        }
        await connector.stop();
        expect(await upload).toBeInstanceOf(Error); // cut: no answer
        expect(await spoolFiles(spoolDir)).toEqual([]);
      } finally {
        client.close();
        await connector.stop();
        await rm(spoolDir, { recursive: true, force: true });
      }
    });
  });
}
