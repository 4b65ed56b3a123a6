/**
 * The container scenario's measurement. First the floor: a bare node:http server in a fresh
 * cgroup with the limit, started from a cold copy of node like the connector, so the difference
 * of the two idle working sets is what the connector itself costs. Then the connector in its own
 * fresh cgroup, through every phase; a connector that dies (OOM or otherwise) is marked in that
 * phase and started again in the same cgroup for the next, as a kubelet restarts a container.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Backends } from './backends.js';
import { createMemoryCgroup, type MemoryCgroup } from './cgroup.js';
import { isStopping, track } from './cleanup.js';
import { coldCopy } from './cold-copy.js';
import { compileCacheOf } from './compile-cache.js';
import { type ContainedProcess, startContained } from './contained.js';
import { containerPhases, type Phase } from './container-phases.js';
import type { ContainerResults, PhaseResult, ProcessFigures, Verdict } from './container-report.js';
import { CountedFailure, Outcomes } from './outcomes.js';
import { SocketHttp } from './socket-http.js';
import { IMAGE_MALLOC_ENV, type Variant } from './variants.js';
import { idleMemory, MiB, sampleMemory } from './working-set.js';

export interface ContainerSettings {
  variant: Variant;
  limitMiB: number;
  largeBytes: number[];
  quick: boolean;
  nodeOptions: string;
  /** An empty directory for the sockets and the floor's script; its owner removes it. */
  workDir: string;
  /** Where the cold copies of node and the bundle go (see loop-disk.ts). */
  binaryDir: string;
}

const FLOOR_SCRIPT = `import { createServer } from 'node:http';
createServer((req, res) => {
  res.statusCode = req.url === '/healthz' ? 200 : 404;
  res.end();
}).listen(process.env.CONNECTOR_SOCKET);
`;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A cgroup for the length of `work`, removed after it whatever happens (and on SIGINT). */
async function inCgroup<T>(name: string, limitBytes: number, work: (cgroup: MemoryCgroup) => Promise<T>) {
  const cgroup = createMemoryCgroup(name, limitBytes);
  const untrack = track(() => cgroup.remove());
  try {
    return await work(cgroup);
  } finally {
    untrack();
    await cgroup.remove();
  }
}

/** What a container has when it starts: its own environment, not the bench's. */
function containerEnv(nodeOptions: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LOG_LEVEL: 'info',
    ...IMAGE_MALLOC_ENV,
    ...extra,
  };
  if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
  return env;
}

async function figures(cgroup: MemoryCgroup, server: ContainedProcess): Promise<ProcessFigures> {
  const idle = await idleMemory(cgroup);
  return {
    startupMs: server.startupMs,
    idleWorkingSetMiB: idle.workingSetBytes / MiB,
    idleAnonMiB: idle.anonBytes / MiB,
    majorFaults: idle.majorFaults,
    limitHits: cgroup.limitHits(),
    oomKills: cgroup.oomKills(),
  };
}

async function measureFloor(settings: ContainerSettings, cgroupName: string): Promise<ProcessFigures> {
  const { workDir } = settings;
  const node = await coldCopy(process.execPath, join(settings.binaryDir, 'node-floor'));
  const script = join(workDir, 'floor.mjs');
  await writeFile(script, FLOOR_SCRIPT);
  return inCgroup(`${cgroupName}-floor`, settings.limitMiB * MiB, async (cgroup) => {
    const floor = await startContained({
      cgroup,
      command: node,
      args: [script],
      env: containerEnv(settings.nodeOptions),
      workDir,
    });
    try {
      return await figures(cgroup, floor);
    } finally {
      await floor.stop();
    }
  });
}

async function runPhase(
  phase: Phase,
  cgroup: MemoryCgroup,
  connector: ContainedProcess,
): Promise<Omit<PhaseResult, 'verdict'>> {
  const outcomes = new Outcomes();
  const before = { hits: cgroup.limitHits(), ooms: cgroup.oomKills(), faults: cgroup.memory().majorFaults };
  const sampler = sampleMemory(cgroup);
  const start = performance.now();
  try {
    await phase.run({ socketPath: connector.socketPath, outcomes });
  } catch (error) {
    if (!(error instanceof CountedFailure)) outcomes.failed(`${phase.name}: ${message(error)}`);
  }
  const seconds = (performance.now() - start) / 1000;
  const peak = sampler.stop();
  // Requests fail the moment the process is killed; its exit event can come a little later.
  if (outcomes.result.failures > 0) await sleep(200);
  const result: Omit<PhaseResult, 'verdict'> = {
    name: phase.name,
    seconds,
    ...outcomes.result,
    ops: outcomes.result.ok,
    opsPerSec: outcomes.result.ok / seconds,
    peakWorkingSetMiB: peak.workingSetBytes / MiB,
    peakAnonMiB: peak.anonBytes / MiB,
    majorFaults: cgroup.memory().majorFaults - before.faults,
    samples: peak.samples,
    maxSampleGapMs: peak.maxGapMs,
    limitHits: cgroup.limitHits() - before.hits,
    oomKills: cgroup.oomKills() - before.ooms,
    alive: connector.alive(),
    responsive: connector.alive() && (await answersHealthz(connector.socketPath)),
  };
  const exitStatus = connector.exitStatus();
  if (exitStatus !== undefined) result.exitStatus = exitStatus;
  if (exitStatus !== undefined || outcomes.result.failures > 0)
    result.outputTail = connector.output().slice(-2000);
  return result;
}

/** A liveness probe: /healthz within 10 s (the kubelet's default timeout is 1 s; be lenient). */
async function answersHealthz(socketPath: string): Promise<boolean> {
  const http = new SocketHttp(socketPath);
  try {
    const reply = await http.send({ method: 'GET', path: '/healthz', timeoutMs: 10_000 });
    return reply.status === 200;
  } catch {
    return false;
  } finally {
    http.close();
  }
}

const verdictOf = (p: Omit<PhaseResult, 'verdict'>): Verdict =>
  p.oomKills > 0 ? 'OOM' : !p.alive ? 'DIED' : !p.responsive ? 'HUNG' : p.failures > 0 ? 'FAILED' : 'ok';

async function measureConnector(
  settings: ContainerSettings,
  backends: Backends,
  cgroupName: string,
  results: ContainerResults,
  progress: (line: string) => void,
): Promise<void> {
  const { variant, workDir, binaryDir } = settings;
  const node = await coldCopy(process.execPath, join(binaryDir, 'node'));
  const bundle = join(binaryDir, 'main.cjs');
  // Node keys its compile cache by path: made for the copy, which is then copied again so that
  // its pages are not cached (the copy's content, and so the cache, stays the same).
  await coldCopy(variant.entry, bundle, 0o644);
  const compileCache = compileCacheOf(bundle);
  await coldCopy(variant.entry, bundle, 0o644);
  const prefix = `container-${variant.name}-${Date.now().toString(36)}`;
  // Its own /tmp (spool files), gone with the work directory even when it is killed mid-request.
  const tmp = join(workDir, 'tmp');
  await mkdir(tmp);
  const env = containerEnv(settings.nodeOptions, {
    ...variant.env(backends, prefix),
    NODE_COMPILE_CACHE: compileCache,
    TMPDIR: tmp,
  });
  await inCgroup(cgroupName, settings.limitMiB * MiB, async (cgroup) => {
    results.cgroup.dir = cgroup.dir;
    const start = () => startContained({ cgroup, command: node, args: [bundle], env, workDir });
    let connector: ContainedProcess | undefined = await start();
    try {
      results.connector = await figures(cgroup, connector);
      progress(
        `connector serving in ${results.connector.startupMs.toFixed(0)} ms, idle working set ${results.connector.idleWorkingSetMiB.toFixed(1)} MiB`,
      );
      for (const phase of containerPhases({ quick: settings.quick, largeBytes: settings.largeBytes })) {
        if (connector === undefined || isStopping()) {
          results.phases.push(notRun(phase.name));
          continue;
        }
        const measured = await runPhase(phase, cgroup, connector);
        const result: PhaseResult = { ...measured, verdict: verdictOf(measured) };
        results.phases.push(result);
        progress(
          `${phase.name}: ${result.verdict}, ${result.ops} ops in ${result.seconds.toFixed(1)} s, peak ${result.peakWorkingSetMiB.toFixed(1)} MiB` +
            (result.firstFailure ? `; first failure: ${result.firstFailure}` : ''),
        );
        if (result.verdict === 'OOM' || result.verdict === 'DIED' || result.verdict === 'HUNG') {
          await connector.stop();
          connector = undefined;
          if (!isStopping()) {
            try {
              connector = await start();
              result.restartMs = connector.startupMs;
            } catch (error) {
              results.failures.push(`restarting the connector after ${phase.name}: ${message(error)}`);
            }
          }
        }
      }
      if (connector !== undefined)
        results.connector.idleAfterLoadMiB = (await idleMemory(cgroup)).workingSetBytes / MiB;
    } finally {
      await connector?.stop();
    }
  });
}

const notRun = (name: string): PhaseResult => ({
  name,
  seconds: 0,
  counts: {},
  problems: {},
  ok: 0,
  unavailable: 0,
  failures: 0,
  ops: 0,
  opsPerSec: 0,
  peakWorkingSetMiB: Number.NaN,
  peakAnonMiB: Number.NaN,
  majorFaults: 0,
  samples: 0,
  maxSampleGapMs: 0,
  limitHits: 0,
  oomKills: 0,
  alive: false,
  responsive: false,
  verdict: 'NOT RUN',
});

export async function runContainer(
  settings: ContainerSettings,
  backends: Backends,
  results: ContainerResults,
  progress: (line: string) => void,
): Promise<void> {
  const cgroupName = `state-proxy-bench-${process.pid}`;
  try {
    results.floor = await measureFloor(settings, cgroupName);
    progress(
      `floor serving in ${results.floor.startupMs.toFixed(0)} ms, idle working set ${results.floor.idleWorkingSetMiB.toFixed(1)} MiB`,
    );
  } catch (error) {
    results.failures.push(`floor: ${message(error)}`);
  }
  try {
    await measureConnector(settings, backends, cgroupName, results, progress);
  } catch (error) {
    results.failures.push(`connector: ${message(error)}`);
  }
}
