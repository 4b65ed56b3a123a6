/**
 * Staging checks every topology shares (large-values.test.ts, sentinel.test.ts, cluster.test.ts): a
 * body streams into a staging key beside its value and never to disk; many bodies at once are
 * bounded by the memory budget; a client that leaves mid-body and a SIGTERM mid-upload leave the
 * old value as it was and no staging key; a crash leaves its staging key to its TTL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { ConnectorClient, encodeKey, type SpawnedConnector } from '@state-proxy/connector-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS } from '../config.js';
import { stagingTtlMs } from '../large-values.js';
import { noDiskEnv, startRedisConnector, uniquePrefix, waitFor } from './helpers.js';

const MiB = 1024 * 1024;
const quoted = (data: Buffer) => `"${createHash('sha1').update(data).digest('hex')}"`;

export interface StagedKey {
  name: string;
  /** What is left of its TTL (PTTL): -1 would be none. */
  pttlMs: number;
}

export interface StagingTopology {
  /** REDIS_URL for the connectors. */
  url: string;
  /** The staging keys (`\0upload-` names) under `prefix`, on every master. */
  stagingKeys(prefix: string): Promise<StagedKey[]>;
  /** Removes a key a test left on purpose (a crash's staging key). */
  remove(name: string): Promise<void>;
}

/** Is this storage key name a staging key? */
export const isStagingKey = (name: string) => name.includes('\u0000upload-');

/** The staging keys under `prefix` on one server, asked through `send` (a client's sendCommand). */
export async function stagingKeysOn(
  send: (args: string[]) => Promise<unknown>,
  prefix: string,
): Promise<StagedKey[]> {
  const found: StagedKey[] = [];
  let cursor = '0';
  for (let step = 0; step < 10_000; step++) {
    const [next, names] = (await send(['SCAN', cursor, 'MATCH', `${prefix}:*`, 'COUNT', '1000'])) as [
      unknown,
      unknown[],
    ];
    for (const name of names.map(String).filter(isStagingKey))
      found.push({ name, pttlMs: Number(await send(['PTTL', name])) });
    cursor = String(next);
    if (cursor === '0') return found;
  }
  throw new Error(`SCAN of ${prefix}:* did not end`);
}

/** A PUT whose head is sent; the test writes its body (or part of it) on the returned socket. */
function openUpload(socketPath: string, key: string, header: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => {
      socket.off('error', reject);
      // Writes after the server closed the connection fail; the test looks at Redis, not at them.
      socket.on('error', () => {});
      socket.write(`PUT /keys/${encodeKey(key)} HTTP/1.1\r\nHost: c\r\n${header}\r\n\r\n`);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** One chunk of a chunked body. */
const chunkFrame = (data: Buffer) =>
  Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from('\r\n')]);

export function describeStaging(
  name: string,
  topology: () => StagingTopology,
  { largeBytes }: { largeBytes: number },
): void {
  describe(`bodies staged in Redis (${name})`, () => {
    const prefix = uniquePrefix('staging');
    let disk: Awaited<ReturnType<typeof noDiskEnv>>;
    let connector: SpawnedConnector;
    let client: ConnectorClient;
    // Every connector here shares the prefix: the long-lived one reads what the others left.
    const start = (env: Record<string, string> = {}) =>
      startRedisConnector(topology().url, { STATE_PREFIX: prefix, ...disk.env, ...env });
    const staged = () => topology().stagingKeys(prefix);
    const stagedSoon = () =>
      waitFor('the body to reach a staging key', async () =>
        (await staged()).length > 0 ? true : undefined,
      );

    beforeAll(async () => {
      disk = await noDiskEnv();
      connector = await start({ STATE_MEMORY_BUDGET_BYTES: String(4 * MiB) });
      client = new ConnectorClient(connector.socketPath);
    });
    afterAll(async () => {
      client?.close();
      await connector?.stop();
      await disk?.remove();
    });

    it(`a ${largeBytes / MiB} MiB body, sized and chunked, streams in with no writable directory and reads back byte for byte`, async () => {
      const value = randomBytes(largeBytes);
      expect((await client.put('large/sized', value)).status).toBe(204);
      const pieces = Array.from({ length: Math.ceil(largeBytes / MiB) }, (_, i) =>
        value.subarray(i * MiB, (i + 1) * MiB),
      );
      const put = await client.put('large/chunked', Readable.from(pieces));
      expect([put.status, put.headers.etag]).toEqual([204, quoted(value)]);
      for (const key of ['large/sized', 'large/chunked']) {
        const got = await client.get(key);
        expect([got.status, got.headers['content-length'], got.headers.etag]).toEqual([
          200,
          String(largeBytes),
          quoted(value),
        ]);
        expect(got.body.equals(value)).toBe(true);
      }
      expect(await staged()).toEqual([]);
    });

    it('64 concurrent 1 MiB writes (16 times the memory budget) all succeed and read back exactly', async () => {
      const values = Array.from({ length: 64 }, () => randomBytes(MiB));
      const puts = await Promise.all(values.map((value, i) => client.put(`many/${i}`, value)));
      expect(puts.map((res) => res.status)).toEqual(values.map(() => 204));
      const gets = await Promise.all(values.map((_, i) => client.get(`many/${i}`)));
      expect(gets.map((got) => got.headers.etag)).toEqual(values.map(quoted));
      expect(gets.every((got, i) => got.body.equals(values[i]!))).toBe(true);
      expect(await staged()).toEqual([]);
    });

    it('a client that leaves mid-body: its staging key is removed, the old value stays', async () => {
      expect((await client.put('left/k', 'old')).status).toBe(204);
      const socket = await openUpload(connector.socketPath, 'left/k', `Content-Length: ${8 * MiB}`);
      socket.write(Buffer.alloc(4 * MiB, 1));
      await stagedSoon();
      socket.destroy();
      await waitFor('the staging key to be removed', async () =>
        (await staged()).length === 0 ? true : undefined,
      );
      expect((await client.get('left/k')).body.toString()).toBe('old');
    });

    it('SIGTERM mid-upload: exit 0, the staging key removed, the old value intact', async () => {
      const cut = await start({ CONNECTOR_SHUTDOWN_GRACE_MS: '2000' });
      try {
        expect((await client.put('term/k', 'old')).status).toBe(204);
        const socket = await openUpload(cut.socketPath, 'term/k', 'Transfer-Encoding: chunked');
        socket.write(chunkFrame(Buffer.alloc(2 * MiB, 2)));
        await stagedSoon();
        cut.child.kill('SIGTERM');
        expect(await cut.exited).toBe(0);
        socket.destroy();
        expect(await staged()).toEqual([]);
        expect((await client.get('term/k')).body.toString()).toBe('old');
      } finally {
        await cut.stop();
      }
    });

    it('a crash mid-upload (SIGKILL) leaves its staging key to its TTL, the old value intact', async () => {
      const idleMs = 20_000;
      const crashing = await start({ CONNECTOR_BODY_IDLE_TIMEOUT_MS: String(idleMs) });
      try {
        expect((await client.put('crash/k', 'old')).status).toBe(204);
        const socket = await openUpload(crashing.socketPath, 'crash/k', 'Transfer-Encoding: chunked');
        socket.write(chunkFrame(Buffer.alloc(2 * MiB, 3)));
        await stagedSoon();
        crashing.child.kill('SIGKILL');
        await crashing.exited;
        socket.destroy();
        const left = await staged();
        expect(left).toHaveLength(1);
        // A chunked body: its TTL is sized for the base deadline of a commit.
        expect(left[0]!.pttlMs).toBeGreaterThan(0);
        expect(left[0]!.pttlMs).toBeLessThanOrEqual(stagingTtlMs(idleMs, DEFAULT_TIMEOUT_MS));
        await topology().remove(left[0]!.name);
        expect((await client.get('crash/k')).body.toString()).toBe('old');
      } finally {
        await crashing.stop();
      }
    });
  });
}
