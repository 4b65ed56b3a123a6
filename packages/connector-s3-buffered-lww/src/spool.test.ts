// Buffered variants spool the whole body (memory up to 4 MiB, then a temp file) before one
// PutObject with a known length; the temp file is gone afterwards.

import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MiB } from '@state-proxy/connector-core';
import type { SpawnedConnector } from '@state-proxy/connector-core/testing';
import { freshBucket, hashedGet, startVariant } from '@state-proxy/s3-connector/testing';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { underTest as variant } from './under-test.js';

const SIZE = 100 * MiB;

let spoolDir: string;
let connector: SpawnedConnector;
beforeAll(async () => {
  spoolDir = await mkdtemp(join(tmpdir(), 's3-spool-test-'));
  connector = await startVariant(variant, await freshBucket('spool'), { STATE_SPOOL_DIR: spoolDir });
});
afterAll(async () => {
  await connector?.stop();
  await rm(spoolDir, { recursive: true, force: true });
});

it(`a ${SIZE / MiB} MiB body spills to a temp file, round-trips, and the file is removed`, async () => {
  const req = request({
    socketPath: connector.socketPath,
    method: 'PUT',
    path: '/keys/spooled/big.bin',
    headers: { 'content-length': String(SIZE) },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
  });
  const hash = createHash('sha256');
  const send = async (bytes: number) => {
    for (let sent = 0; sent < bytes; sent += MiB) {
      const chunk = randomBytes(MiB);
      hash.update(chunk);
      if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
    }
  };

  await send(SIZE / 2);
  // Half the body is in: it is on disk, not in the heap, and nothing is in S3 yet.
  await vi.waitFor(async () => expect(await readdir(spoolDir)).toHaveLength(1), {
    timeout: 30_000,
    interval: 50,
  });
  expect((await hashedGet(connector.socketPath, '/keys/spooled/big.bin')).status).toBe(404);
  await send(SIZE / 2);
  req.end();

  expect(await status).toBe(204);
  expect(await readdir(spoolDir)).toEqual([]);
  const got = await hashedGet(connector.socketPath, '/keys/spooled/big.bin');
  expect(got).toEqual({ status: 200, contentLength: SIZE, bytes: SIZE, sha256: hash.digest('hex') });
});
