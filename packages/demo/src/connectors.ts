/** The four variants and how to start one against the demo's backends. */

import { fileURLToPath } from 'node:url';
import { type SpawnedConnector, spawnConnector } from '@state-proxy/connector-core/testing';
import type { RedisBackend, S3Backend } from '@state-proxy/test-backends';
import { track } from './cleanup.js';

export const VARIANTS = [
  'redis-buffered-cas',
  's3-buffered-lww',
  's3-buffered-cas',
  's3-passthrough',
] as const;
export type Variant = (typeof VARIANTS)[number];

export interface Backends {
  redis: RedisBackend;
  s3: S3Backend;
  bucket: string;
}

function entryOf(variant: Variant): string {
  return fileURLToPath(new URL(`../../connector-${variant}/dist/main.cjs`, import.meta.url));
}

function envFor(variant: Variant, backends: Backends, prefix: string): Record<string, string> {
  if (variant === 'redis-buffered-cas') return { REDIS_URL: backends.redis.url, STATE_PREFIX: prefix };
  const { s3 } = backends;
  return {
    STATE_BUCKET: backends.bucket,
    STATE_PREFIX: prefix,
    AWS_ENDPOINT_URL: s3.endpoint,
    AWS_REGION: s3.region,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
}

/** Starts a connector that an interrupt stops too, even one still starting. */
export async function startConnector(
  variant: Variant,
  backends: Backends,
  prefix: string,
): Promise<SpawnedConnector> {
  const starting = spawnConnector({
    entry: entryOf(variant),
    env: { ...envFor(variant, backends, prefix), LOG_LEVEL: 'warn' },
    // Generous: eight replicas start at once on a small machine.
    startTimeoutMs: 60_000,
  });
  // A start that fails has cleaned up after itself: nothing is left to stop then.
  const untrack = track(() =>
    starting.then(
      (connector) => connector.stop(),
      () => {},
    ),
  );
  try {
    const connector = await starting;
    return {
      ...connector,
      async stop() {
        untrack();
        await connector.stop();
      },
    };
  } catch (error) {
    untrack();
    throw error;
  }
}

/** Peak resident memory of a process so far, in MiB (Linux). */
export async function peakRssMiB(pid: number | undefined): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}
