/**
 * Start-up time: from spawn() to the first 200 on /healthz, polling the socket every 2 ms, as a
 * pod's readiness would see it. Runs in rounds over all servers; the median is the figure.
 */
import { spawn } from 'node:child_process';
import { spawnConnector } from '@state-proxy/connector-core/testing';
import type { Backends } from './backends.js';
import { isStopping } from './cleanup.js';
import { median } from './stats.js';
import type { Variant } from './variants.js';

/** What start-up measures: a variant, or any server started the same way (the runtime floors). */
export interface Startable {
  name: string;
  entry: string;
  env: Variant['env'];
}

export interface StartupResult {
  runsMs: number[];
  medianMs: number;
  targetMs: number;
  /** Median spawn-to-exit of `node -e ''` just before: what Node alone costs on this machine now. */
  nodeBaselineMs: number;
}

/** The start-up target: spawn to the first served request, median of the runs. */
const TARGET_MS = 150;

async function once(variant: Startable, env: Record<string, string>): Promise<number> {
  const start = performance.now();
  const started = await spawnConnector({
    entry: variant.entry,
    env: { ...env, LOG_LEVEL: 'warn' },
    pollMs: 2,
  });
  const ms = performance.now() - start;
  await started.stop();
  return ms;
}

async function bareNode(): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return performance.now() - start;
}

/** What start-up measured for one server: its result, or why it could not be measured. */
export type StartupOutcome = { ok: true; result: StartupResult } | { ok: false; error: string };

/**
 * Start-up of every server, `runs` each, in rounds: each round starts every server once (and bare
 * `node` once), so that the machine's speed, which drifts (a busy neighbour, the S3 server's own
 * work), weighs on all of them alike and the ratios between them hold. A server that fails once
 * is left out of the later rounds.
 */
export async function measureStartups(
  servers: readonly Startable[],
  backends: Backends,
  runs = 10,
): Promise<StartupOutcome[]> {
  const envs: Record<string, string>[] = [];
  const runsMs: number[][] = servers.map(() => []);
  const errors: (string | undefined)[] = servers.map(() => undefined);
  const baseline: number[] = [];
  for (let round = 0; round < runs && !isStopping(); round++) {
    baseline.push(await bareNode());
    for (const [i, server] of servers.entries()) {
      if (errors[i] !== undefined || isStopping()) continue;
      try {
        envs[i] ??= server.env(backends, 'bench-startup');
        runsMs[i]!.push(await once(server, envs[i]));
      } catch (error) {
        errors[i] = error instanceof Error ? error.message : String(error);
      }
    }
  }
  const nodeBaselineMs = median(baseline);
  return runsMs.map((measured, i): StartupOutcome => {
    const error = errors[i] ?? (measured.length === 0 ? 'stopped before it was measured' : undefined);
    if (error !== undefined) return { ok: false, error };
    return {
      ok: true,
      result: { runsMs: measured, medianMs: median(measured), targetMs: TARGET_MS, nodeBaselineMs },
    };
  });
}
