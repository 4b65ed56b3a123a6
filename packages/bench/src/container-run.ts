/**
 * One run of the container scenario: the variant's image at one memory limit, from a warm or a
 * cold page cache. First the floors in the same image, engine and limit (a bare node:http server,
 * then the backend's floor behind hono), each started, measured idle and stopped; then the
 * connector, measured idle and through every phase. A connector that is OOM-killed, dies or stops
 * answering is marked in that phase and started again for the next, as the kubelet restarts a
 * container (the page cache as the dead one left it).
 */
import { type RunningImage, startImage } from '@state-proxy/image-test/container';
import { type Variant, variantEnv } from '@state-proxy/variants';
import type { Backends } from './backends.js';
import { isStopping, track } from './cleanup.js';
import {
  type CgroupFigures,
  type ContainerCgroup,
  containerCgroup,
  MiB,
  samplePeak,
} from './container-cgroup.js';
import { containerPhases, type Phase } from './container-phases.js';
import type { Cache, PhaseResult, RunResult, ServerIdle, ServerName, Verdict } from './container-report.js';
import { CountedFailure, Outcomes } from './outcomes.js';
import { preparePageCache } from './page-cache.js';
import { floorBundle } from './paths.js';
import { SocketHttp } from './socket-http.js';

export interface RunSettings {
  variant: Variant;
  image: string;
  cache: Cache;
  limitMiB: number;
  quick: boolean;
  largeBytes: number[];
  /** The image's node and /app files in its layers (page-cache.ts); undefined: warm only. */
  imageFiles: string[] | undefined;
}

const NODE = '/nodejs/bin/node';
const NODE_FLOOR = `require('node:http').createServer((req, res) => {
  res.statusCode = req.url === '/healthz' ? 200 : 404;
  res.end();
}).listen(process.env.CONNECTOR_SOCKET);`;
/** Where the framework floor's bundle is bound into the image. */
const FLOOR_PATH = '/bench/floor.cjs';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Started {
  running: RunningImage;
  cgroup: ContainerCgroup;
  startupMs: number;
  cachedAtStartMiB?: number;
  end(): ReturnType<RunningImage['end']>;
}

async function start(name: ServerName, s: RunSettings, backends: Backends, fresh: boolean): Promise<Started> {
  const framework = floorBundle(s.variant.backend === 'redis' ? 'redis-hono' : 's3-hono');
  const files = s.imageFiles && name === 'framework floor' ? [...s.imageFiles, framework] : s.imageFiles;
  const cached = fresh && files ? await preparePageCache(files, s.cache) : undefined;
  const startedAt = performance.now();
  const running = await startImage({
    image: s.image,
    memoryMiB: s.limitMiB,
    // As image-test does: the buffered variants spill bodies to /tmp, an emptyDir of their own.
    tmpVolume: name === 'connector' && s.variant.declaration.writeMode === 'buffered',
    env: variantEnv(s.variant, backends, `container-${name.replace(' ', '-')}-${Date.now().toString(36)}`),
    ...(name === 'node floor' ? { entrypoint: [NODE, '-e', NODE_FLOOR] } : {}),
    ...(name === 'framework floor'
      ? { entrypoint: [NODE, FLOOR_PATH], readOnly: { [framework]: FLOOR_PATH } }
      : {}),
  });
  const startupMs = performance.now() - startedAt;
  const untrack = track(() => running.end());
  try {
    const cgroup = containerCgroup((await running.inspect()).pid);
    const end = () => {
      untrack();
      return running.end();
    };
    return {
      running,
      cgroup,
      startupMs,
      ...(cached === undefined ? {} : { cachedAtStartMiB: cached / MiB }),
      end,
    };
  } catch (error) {
    untrack();
    await running.end();
    throw error;
  }
}

async function idle(started: Started): Promise<ServerIdle> {
  await sleep(2000);
  const f = started.cgroup.read();
  return {
    startupMs: started.startupMs,
    ...(started.cachedAtStartMiB === undefined ? {} : { cachedAtStartMiB: started.cachedAtStartMiB }),
    workingSetMiB: f.workingSetBytes / MiB,
    anonMiB: f.anonBytes / MiB,
    fileMiB: f.fileBytes / MiB,
    mappedFileMiB: f.mappedFileBytes / MiB,
    majorFaults: f.majorFaults,
    limitHits: f.limitHits,
  };
}

/** A liveness probe: /healthz within 10 s (the kubelet's default timeout is 1 s; be lenient). */
async function answersHealthz(socketPath: string): Promise<boolean> {
  const http = new SocketHttp(socketPath);
  try {
    return (await http.send({ method: 'GET', path: '/healthz', timeoutMs: 10_000 })).status === 200;
  } catch {
    return false;
  } finally {
    http.close();
  }
}

async function runPhase(phase: Phase, started: Started): Promise<Omit<PhaseResult, 'verdict'>> {
  const outcomes = new Outcomes();
  const before: CgroupFigures = { ...started.cgroup.read() };
  const sampler = samplePeak(started.cgroup);
  const startedAt = performance.now();
  try {
    await phase.run({ socketPath: started.running.socketPath, outcomes });
  } catch (error) {
    if (!(error instanceof CountedFailure)) outcomes.failed(`${phase.name}: ${message(error)}`);
  }
  const seconds = (performance.now() - startedAt) / 1000;
  const peak = sampler.stop();
  // Requests fail the moment the container is killed; the engine may see its exit a little later.
  if (outcomes.result.failures > 0) await sleep(500);
  const state = await started.running.inspect();
  const after = started.cgroup.read();
  return {
    name: phase.name,
    seconds,
    ...outcomes.result,
    ops: outcomes.result.ok,
    opsPerSec: outcomes.result.ok / seconds,
    peakUsageMiB: peak.usageBytes / MiB,
    peakWorkingSetMiB: peak.workingSetBytes / MiB,
    peakAnonMiB: peak.anonBytes / MiB,
    samples: peak.samples,
    maxSampleGapMs: peak.maxGapMs,
    majorFaults: after.majorFaults - before.majorFaults,
    limitHits: after.limitHits - before.limitHits,
    oomKills: after.oomKills - before.oomKills,
    oomKilled: state.oomKilled,
    alive: state.running,
    responsive: state.running && (await answersHealthz(started.running.socketPath)),
  };
}

const verdictOf = (p: Omit<PhaseResult, 'verdict'>): Verdict =>
  p.oomKilled || p.oomKills > 0
    ? 'OOM'
    : !p.alive
      ? 'DIED'
      : !p.responsive
        ? 'HUNG'
        : p.failures > 0
          ? 'FAILED'
          : 'ok';

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
  peakUsageMiB: Number.NaN,
  peakWorkingSetMiB: Number.NaN,
  peakAnonMiB: Number.NaN,
  samples: 0,
  maxSampleGapMs: 0,
  majorFaults: 0,
  limitHits: 0,
  oomKills: 0,
  oomKilled: false,
  alive: false,
  responsive: false,
  verdict: 'NOT RUN',
});

async function measureConnector(
  s: RunSettings,
  backends: Backends,
  result: RunResult,
  failures: string[],
  progress: (line: string) => void,
): Promise<void> {
  let current: Started | undefined = await start('connector', s, backends, true);
  result.cgroupVersion = current.cgroup.version;
  try {
    result.servers.connector = await idle(current);
    progress(`connector idle: working set ${result.servers.connector.workingSetMiB.toFixed(1)} MiB`);
    for (const phase of containerPhases({ quick: s.quick, largeBytes: s.largeBytes })) {
      if (current === undefined || isStopping()) {
        result.phases.push(notRun(phase.name));
        continue;
      }
      const measured = await runPhase(phase, current);
      const phaseResult: PhaseResult = { ...measured, verdict: verdictOf(measured) };
      result.phases.push(phaseResult);
      progress(
        `${phase.name}: ${phaseResult.verdict}, ${phaseResult.ops} ops in ${phaseResult.seconds.toFixed(1)} s, peak ${phaseResult.peakWorkingSetMiB.toFixed(1)} MiB` +
          (phaseResult.firstFailure ? `; first failure: ${phaseResult.firstFailure}` : ''),
      );
      if (phaseResult.verdict === 'ok' || phaseResult.verdict === 'FAILED') continue;
      const ended = await current.end();
      current = undefined;
      if (phaseResult.alive === false) phaseResult.exitCode = ended.exitCode;
      phaseResult.oomKilled ||= ended.oomKilled;
      phaseResult.outputTail = ended.output.slice(-2000);
      if (isStopping()) continue;
      try {
        current = await start('connector', s, backends, false);
        phaseResult.restartMs = current.startupMs;
      } catch (error) {
        failures.push(
          `${s.cache} ${s.limitMiB} MiB: restarting the connector after ${phase.name}: ${message(error)}`,
        );
      }
    }
    if (current !== undefined) {
      await sleep(2000);
      result.idleAfterLoadMiB = current.cgroup.read().workingSetBytes / MiB;
    }
  } finally {
    await current?.end();
  }
}

export async function measureRun(
  s: RunSettings,
  backends: Backends,
  failures: string[],
  progress: (line: string) => void,
): Promise<RunResult> {
  const result: RunResult = { cache: s.cache, limitMiB: s.limitMiB, servers: {}, phases: [] };
  const say = (line: string) => progress(`${s.cache} ${s.limitMiB} MiB: ${line}`);
  for (const name of ['node floor', 'framework floor'] as const) {
    if (isStopping()) return result;
    try {
      const floor = await start(name, s, backends, true);
      try {
        result.servers[name] = await idle(floor);
      } finally {
        await floor.end();
      }
      say(`${name} idle: working set ${result.servers[name]!.workingSetMiB.toFixed(1)} MiB`);
    } catch (error) {
      failures.push(`${s.cache} ${s.limitMiB} MiB: ${name}: ${message(error)}`);
    }
  }
  try {
    await measureConnector(s, backends, result, failures, say);
  } catch (error) {
    failures.push(`${s.cache} ${s.limitMiB} MiB: connector: ${message(error)}`);
  }
  return result;
}
