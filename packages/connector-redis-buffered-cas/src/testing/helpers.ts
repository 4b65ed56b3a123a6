/** Test helpers: start the built connector against a Redis URL, poll for a state, talk to Redis. */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, createCluster, RESP_TYPES } from '@redis/client';
import { type SpawnedConnector, spawnConnector } from '@state-proxy/connector-core/testing';
import { parseRedisUrl } from '../redis-url.js';

/** The bundle the image runs: tests drive exactly what ships (`pnpm build` runs first). */
export const ENTRY = fileURLToPath(new URL('../../dist/main.cjs', import.meta.url));

/** Start-up takes well under a second, but this machine is shared and often loaded. */
export const START_TIMEOUT_MS = 45_000;

/** A STATE_PREFIX no other test uses: a fresh, empty namespace on a shared Redis. */
export function uniquePrefix(name = 'test'): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

export function startRedisConnector(
  redisUrl: string,
  env: Record<string, string> = {},
): Promise<SpawnedConnector> {
  return spawnConnector({
    entry: ENTRY,
    env: { REDIS_URL: redisUrl, STATE_PREFIX: uniquePrefix(), ...env },
    startTimeoutMs: START_TIMEOUT_MS,
  });
}

/**
 * Settings under which nothing can be written to disk: STATE_SPOOL_DIR and the OS temp dir (TMPDIR)
 * lie under a regular file, where not even root can create a file, and a spooled body would spill
 * from its first byte. A body that touched the disk would fail its request with 500.
 */
export async function noDiskEnv(): Promise<{ env: Record<string, string>; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-no-disk-'));
  const file = join(dir, 'a-file');
  await writeFile(file, '');
  return {
    env: {
      STATE_SPOOL_DIR: join(file, 'spool'),
      TMPDIR: join(file, 'tmp'),
      STATE_SPOOL_MEMORY_BYTES: '0',
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Runs the bundle to its exit; the environment is exactly `env` (plus PATH). For settings the
 * process must refuse: should it start serving instead, it is stopped, so the test fails at once.
 */
export function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('"msg":"connector listening"')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls `check` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 50 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A direct Redis client for checking what the connector stored, values as Buffers. */
export async function directRedis(url: string) {
  const client = createClient({ url }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  client.on('error', () => {}); // a test stopping Redis must not crash the worker
  await client.connect();
  return client;
}

/** A direct client for a Redis Cluster URL (redis-cluster://, no TLS), values as Buffers. */
export async function clusterClient(url: string) {
  const endpoint = parseRedisUrl(url);
  if (endpoint.kind !== 'cluster') throw new Error(`not a cluster URL: ${url}`);
  const client = createCluster({
    rootNodes: endpoint.seeds.map((socket) => ({ socket })),
    defaults: endpoint.credentials,
  }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  client.on('error', () => {}); // a test killing a node must not crash the worker
  await client.connect();
  return client;
}
