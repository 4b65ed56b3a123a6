/**
 * Start-up time: from spawn() to the first 200 on /healthz, polling the socket every 2 ms, as a
 * pod's readiness would see it. Not spawnConnector (it waits for the log line first, adding
 * stdout parsing to what we measure). Runs in rounds over all servers; the median is the figure.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Backends } from './backends.js';
import { isStopping, track } from './cleanup.js';
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
const GIVE_UP_MS = 15_000;

/** The status of GET /healthz on `socketPath`, 0 while nothing listens there. */
export function healthz(socketPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/healthz', method: 'GET', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0)); // ENOENT/ECONNREFUSED: not listening yet
    req.end();
  });
}

async function once(variant: Startable, env: Record<string, string>): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-startup-'));
  const socketPath = join(dir, 'c.sock');
  const start = performance.now();
  const child = spawn(process.execPath, [variant.entry], {
    env: { ...process.env, ...env, LOG_LEVEL: 'warn', CONNECTOR_SOCKET: socketPath },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const untrack = track(stop);
  try {
    while ((await healthz(socketPath)) !== 200) {
      if (child.exitCode !== null)
        throw new Error(`${variant.name} exited with ${child.exitCode} before serving: ${stderr.trim()}`);
      if (performance.now() - start > GIVE_UP_MS)
        throw new Error(`${variant.name} did not serve within ${GIVE_UP_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return performance.now() - start;
  } finally {
    untrack();
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
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
