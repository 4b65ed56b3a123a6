/** The shipped variants (@state-proxy/variants) and how to start one against the demo's backends. */

import { type SpawnedConnector, spawnConnector } from '@state-proxy/connector-core/testing';
import type { RedisBackend, S3Backend } from '@state-proxy/test-backends';
import { SHIPPED_VARIANTS, variantEnv, variantNamed } from '@state-proxy/variants';
import { track } from './cleanup.js';

export const VARIANTS = SHIPPED_VARIANTS.map((v) => v.declaration.name);
export type Variant = string;

export interface Backends {
  redis: RedisBackend;
  s3: S3Backend;
  bucket: string;
}

/** Starts a connector that an interrupt stops too, even one still starting. */
export async function startConnector(
  variant: Variant,
  backends: Backends,
  prefix: string,
): Promise<SpawnedConnector> {
  const starting = spawnConnector({
    entry: variantNamed(variant).entry,
    env: { ...variantEnv(variantNamed(variant), backends, prefix), LOG_LEVEL: 'warn' },
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
