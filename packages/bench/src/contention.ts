/**
 * The lost-update workload under contention (docs/consistency.md): 8 workers, each with its own connector
 * process (as each actor replica has its own sidecar), read-increment-write one counter with a new
 * connection per request, retrying on 409, for a fixed time. The final value must equal the sum of
 * successful writes: any difference is a lost (or invented) update.
 */
import { ConnectorClient, type SpawnedConnector, spawnConnector } from '@state-proxy/connector-core/testing';
import type { Backends } from './backends.js';
import { track } from './cleanup.js';
import type { Variant } from './variants.js';

export interface ContentionResult {
  workers: number;
  seconds: number;
  successes: number;
  conflicts: number;
  incrementsPerSec: number;
  conflictsPerSuccess: number;
  finalValue: number;
  exact: boolean;
}

const WORKERS = 8;
const KEY = 'counters/contended';

async function worker(
  client: ConnectorClient,
  deadline: number,
): Promise<{ successes: number; conflicts: number }> {
  let successes = 0;
  let conflicts = 0;
  while (performance.now() < deadline) {
    const read = await client.get(KEY);
    if (read.status !== 200 && read.status !== 404) throw new Error(`GET answered ${read.status}`);
    const value = read.status === 200 ? Number(read.body.toString()) : 0;
    const write = await client.put(KEY, String(value + 1));
    if (write.status === 204) successes += 1;
    else if (write.status === 409) conflicts += 1;
    else throw new Error(`PUT answered ${write.status}: ${write.body.toString()}`);
  }
  return { successes, conflicts };
}

export async function measureContention(
  variant: Variant,
  backends: Backends,
  durationMs: number,
): Promise<ContentionResult> {
  const env = variant.env(backends, `bench-counter-${Date.now().toString(36)}`);
  const connectors: SpawnedConnector[] = [];
  const stopAll = () => Promise.allSettled(connectors.map((c) => c.stop()));
  const untrack = track(stopAll);
  const clients: ConnectorClient[] = [];
  try {
    const started = await Promise.allSettled(
      Array.from({ length: WORKERS }, () => spawnConnector({ entry: variant.entry, env })),
    );
    for (const s of started) if (s.status === 'fulfilled') connectors.push(s.value);
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    clients.push(...connectors.map((c) => new ConnectorClient(c.socketPath)));

    const start = performance.now();
    const results = await Promise.all(clients.map((client) => worker(client, start + durationMs)));
    const seconds = (performance.now() - start) / 1000;
    const successes = results.reduce((sum, r) => sum + r.successes, 0);
    const conflicts = results.reduce((sum, r) => sum + r.conflicts, 0);
    const final = await clients[0]!.get(KEY);
    const finalValue = final.status === 200 ? Number(final.body.toString()) : 0;
    return {
      workers: WORKERS,
      seconds,
      successes,
      conflicts,
      incrementsPerSec: successes / seconds,
      conflictsPerSuccess: successes > 0 ? conflicts / successes : Number.NaN,
      finalValue,
      exact: finalValue === successes,
    };
  } finally {
    for (const client of clients) client.close();
    untrack();
    await stopAll();
  }
}
