/**
 * The runtime scenario: every selected variant and its backend's floor, started as the other
 * scenarios start connectors (the variant's env, the images' NODE_OPTIONS), called by the Python
 * driver (python/runtime_client.py) as the actor runtime calls a sidecar, plus the start-up time.
 */

import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { spawnConnector } from '@state-proxy/connector-core/testing';
import type { Backends } from './backends.js';
import { isStopping, track } from './cleanup.js';
import { compileCacheOf } from './compile-cache.js';
import type { RuntimeConfig } from './config.js';
import { type FloorName, floorBundle, runtimeDriver } from './paths.js';
import { describeMachine } from './results.js';
import {
  type Backend,
  type DriverReport,
  parseDriverReport,
  type RuntimeResults,
  type RuntimeServerResult,
  type ServerKind,
} from './runtime-report.js';
import { measureStartups, type Startable } from './startup.js';
import { connectorNodeOptions, type Variant } from './variants.js';

export interface RuntimeServer extends Startable {
  kind: ServerKind;
  backend: Backend;
}

/**
 * Per backend the selected variants use: its floor first (for Redis then the same floor behind
 * hono, the framework's own cost), then the variants, so each connector is measured close in time
 * to the floor it is compared with. A floor is started with the env of a variant of its backend
 * (same backend settings, same NODE_OPTIONS): it reads the same variables; its compile cache is
 * made as a connector's.
 */
export function runtimeServers(variants: readonly Variant[]): RuntimeServer[] {
  const servers: RuntimeServer[] = [];
  for (const backend of ['redis', 's3'] as const) {
    // Against one server, like its floor: the Cluster variant is in the throughput section only.
    const ofBackend = variants.filter((v) => v.backend === backend && v.topology === undefined);
    if (ofBackend.length === 0) continue;
    const floor = (bundle: FloorName, kind: ServerKind): RuntimeServer => ({
      name: `floor-${bundle}`,
      kind,
      backend,
      entry: floorBundle(bundle),
      env: (backends, prefix) => ({
        ...ofBackend[0]!.env(backends, prefix),
        NODE_COMPILE_CACHE: compileCacheOf(floorBundle(bundle)),
      }),
    });
    servers.push(floor(backend, 'floor'));
    if (backend === 'redis') servers.push(floor('redis-hono', 'framework'));
    for (const v of ofBackend)
      servers.push({ name: v.name, kind: 'connector', backend, entry: v.entry, env: v.env });
  }
  return servers;
}

/** Runs the driver against a server's socket; resolves with its report (also when it says ok: false). */
async function runDriver(socketPath: string, pid: number, config: RuntimeConfig): Promise<DriverReport> {
  const args = [
    runtimeDriver,
    '--socket',
    socketPath,
    '--pid',
    String(pid),
    '--ops',
    String(config.ops),
    '--seconds',
    String(config.seconds),
    '--warmup',
    String(config.warmup),
    '--value-bytes',
    String(config.valueBytes),
  ];
  // Four phases of at most `seconds` plus a warm-up of at most 10 s each, plus set-up.
  const limitMs = 4 * (config.seconds + 10) * 1000 + 60_000;
  const child = spawn(config.python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const untrack = track(stop);
  const timer = setTimeout(stop, limitMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject); // e.g. no python3
      child.once('close', (exitCode) => resolve(exitCode));
    });
    if (code !== 0 && code !== 1)
      throw new Error(
        `the driver exited with ${code ?? child.signalCode}: ${stderr.trim() || stdout.trim()}`,
      );
    return parseDriverReport(stdout);
  } finally {
    clearTimeout(timer);
    untrack();
  }
}

/** Starts one server, runs the driver against it, stops it. */
async function measureServer(
  server: RuntimeServer,
  backends: Backends,
  config: RuntimeConfig,
): Promise<DriverReport> {
  const prefix = `runtime-${server.name}-${Date.now().toString(36)}`;
  const started = await spawnConnector({ entry: server.entry, env: server.env(backends, prefix) });
  const untrack = track(started.stop);
  try {
    const pid = started.child.pid;
    if (pid === undefined) throw new Error('no pid');
    const report = await runDriver(started.socketPath, pid, config).catch((error: unknown) => {
      const output = started.output().trim().slice(-600);
      throw new Error(`${message(error)}${output ? `; server output: ${output}` : ''}`);
    });
    if (started.child.exitCode !== null || started.child.signalCode !== null)
      report.failures.push(`the server exited (${started.child.exitCode ?? started.child.signalCode})`);
    return report;
  } finally {
    untrack();
    await started.stop();
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function measureRuntime(
  backends: Backends,
  variants: readonly Variant[],
  config: RuntimeConfig,
  progress: (line: string) => void,
): Promise<RuntimeResults> {
  const results: RuntimeResults = {
    date: new Date().toISOString(),
    machine: describeMachine(backends.s3.kind === 'rgw' ? 'Ceph RadosGW (memstore)' : backends.s3.kind),
    settings: { ...config },
    connectorNodeOptions,
    servers: [],
    failures: [],
  };
  const servers = runtimeServers(variants);
  for (const server of servers)
    results.servers.push({ server: server.name, kind: server.kind, backend: server.backend, failures: [] });
  const fail = (record: RuntimeServerResult, what: string) => {
    record.failures.push(what);
    results.failures.push(`${record.server}: ${what}`);
    progress(`runtime ${record.server}: FAILED ${what}`);
  };

  // Start-up first, all servers in rounds, before any load heats the machine.
  const startups = await measureStartups(servers, backends, config.startupRuns);
  for (const [i, outcome] of startups.entries()) {
    const record = results.servers[i]!;
    if (!outcome.ok) {
      fail(record, `start-up: ${outcome.error}`);
      continue;
    }
    record.startup = outcome.result;
    progress(`runtime ${record.server}: start-up median ${outcome.result.medianMs.toFixed(0)} ms`);
  }
  for (const [i, server] of servers.entries()) {
    if (isStopping()) break;
    const record = results.servers[i]!;
    try {
      record.driver = await measureServer(server, backends, config);
      for (const failure of record.driver.failures) fail(record, failure);
      const line = Object.entries(record.driver.ops)
        .map(([op, r]) => `${op} ${r.opsPerSec.toFixed(0)}/s cpu ${r.serverCpuUsPerOp?.toFixed(0) ?? '-'} us`)
        .join(', ');
      progress(`runtime ${server.name}: ${line}`);
    } catch (error) {
      fail(record, `driver: ${message(error)}`);
    }
  }
  results.machine.loadAverage.end = Number(loadavg()[0]!.toFixed(2));
  return results;
}
