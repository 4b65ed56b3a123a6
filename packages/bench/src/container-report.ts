/** The container scenario's results (the JSON file) and their text rendering (stdout). */
import type { OutcomeCounts } from './outcomes.js';
import type { Machine } from './results.js';
import { fmt, fmtRate, renderTable } from './table.js';

export type Cache = 'cold' | 'warm';
/** The connector, and in the same image: a bare node:http server, the backend's floor behind hono. */
export const SERVERS = ['connector', 'node floor', 'framework floor'] as const;
export type ServerName = (typeof SERVERS)[number];

export interface ServerIdle {
  /** The engine's start to the first 200 on /healthz. */
  startupMs: number;
  /** How much of the image's node and /app files was in the page cache right before the start. */
  cachedAtStartMiB?: number;
  /** 2 s after it serves, from its cgroup. */
  workingSetMiB: number;
  anonMiB: number;
  fileMiB: number;
  mappedFileMiB: number;
  majorFaults: number;
  limitHits: number;
}

/** OOM-killed, exited otherwise, alive but not answering /healthz, requests failed, or fine. */
export type Verdict = 'ok' | 'OOM' | 'DIED' | 'HUNG' | 'FAILED' | 'NOT RUN';

export interface PhaseResult extends OutcomeCounts {
  name: string;
  seconds: number;
  /** Operations answered as expected. */
  ops: number;
  opsPerSec: number;
  /** Page cache included: at the limit, the kernel reclaims (limit hits may not count it). */
  peakUsageMiB: number;
  peakWorkingSetMiB: number;
  peakAnonMiB: number;
  samples: number;
  maxSampleGapMs: number;
  /** During this phase (deltas of the cgroup's counters). */
  majorFaults: number;
  limitHits: number;
  oomKills: number;
  /** The engine's inspect says the container was OOM-killed. */
  oomKilled: boolean;
  alive: boolean;
  /** ... and answered /healthz within 10 s (else it is stopped and started again, as a liveness probe would). */
  responsive: boolean;
  /** How the container ended, when it did in this phase, its last output, and its restart. */
  exitCode?: number;
  outputTail?: string;
  restartMs?: number;
  verdict: Verdict;
}

export interface RunResult {
  cache: Cache;
  limitMiB: number;
  cgroupVersion?: 1 | 2;
  servers: Partial<Record<ServerName, ServerIdle>>;
  phases: PhaseResult[];
  /** The connector's working set 2 s after the last phase. */
  idleAfterLoadMiB?: number;
}

export interface ContainerResults {
  date: string;
  machine: Machine;
  variant: string;
  image: string;
  imageId: string;
  /** Whether the image's bundle is this checkout's (else it was built from other sources). */
  imageBundleIsCheckout?: boolean;
  engine: string;
  /** The image's NODE_OPTIONS and MALLOC_* (its own settings are the ones measured). */
  imageEnv: string[];
  /** Cold runs need the image's files; `problem` says why they could not be had. */
  pageCache: { files: number; sizeMiB: number; readaheadKb?: number } | { problem: string };
  quick: boolean;
  largeBytes: number[];
  runs: RunResult[];
  /** Errors that stopped a part of the run (a server that would not start...). */
  failures: string[];
}

export function exitCodeOf(results: ContainerResults): number {
  const notOk = results.runs.some((run) => run.phases.some((p) => p.verdict !== 'ok'));
  return results.failures.length > 0 || notOk ? 1 : 0;
}

const problems = (p: PhaseResult) =>
  Object.entries(p.problems)
    .map(([label, count]) => `${label} ×${count}`)
    .join(', ');

/** A run's phases beside the run at four times its limit: the throughput ratio says whether it thrashes. */
const THRASH_RATIO = 0.8;

function ratioTable(r: ContainerResults): string[] {
  const lines: string[] = [];
  for (const cache of ['cold', 'warm'] as const) {
    const [low, high] = [...r.runs.filter((run) => run.cache === cache)].sort(
      (a, b) => a.limitMiB - b.limitMiB,
    );
    if (!low || !high) continue;
    lines.push(
      '',
      `## ${cache}: throughput at ${low.limitMiB} MiB ÷ at ${high.limitMiB} MiB (≥ ${THRASH_RATIO}: does not thrash)`,
      renderTable(
        ['phase', `ops/s ${low.limitMiB}`, `ops/s ${high.limitMiB}`, 'ratio', ''],
        low.phases.map((p) => {
          const other = high.phases.find((q) => q.name === p.name);
          const ratio = other && other.opsPerSec > 0 ? p.opsPerSec / other.opsPerSec : undefined;
          // A phase that failed at either limit says so: its throughput is not the point then.
          const failed = [p, other]
            .filter((q) => q && q.verdict !== 'ok')
            .map((q) => `${q!.verdict} at ${q === p ? low.limitMiB : high.limitMiB}`);
          const verdict =
            failed.length > 0
              ? failed.join(', ')
              : ratio === undefined || p.seconds < 1 || other!.seconds < 1
                ? 'too short to tell'
                : ratio >= THRASH_RATIO
                  ? 'ok'
                  : 'THRASHES';
          return [p.name, fmtRate(p.opsPerSec), fmtRate(other?.opsPerSec), fmt(ratio, 2), verdict];
        }),
      ),
    );
  }
  return lines;
}

const IDLE_HEADERS =
  'cache|limit MiB|server|start ms|cached MiB|WS MiB|anon MiB|file MiB|mapped MiB|major faults|limit hits'.split(
    '|',
  );
const PHASE_HEADERS =
  'phase|s|ops|ops/s|503|failed|peak usage MiB|peak WS MiB|peak anon MiB|major faults|limit hits|OOM|verdict|not as expected'.split(
    '|',
  );

export function renderContainerReport(r: ContainerResults): string {
  const cache =
    'problem' in r.pageCache
      ? `cold page cache impossible here (${r.pageCache.problem}): warm only`
      : `node and /app: ${r.pageCache.files} files, ${fmt(r.pageCache.sizeMiB, 1)} MiB, read_ahead_kb ${r.pageCache.readaheadKb ?? '?'}`;
  const lines = [
    `# container scenario: ${r.variant}, ${r.image} (${r.imageId.slice(0, 12)}) in ${r.engine}, cgroup v${r.runs[0]?.cgroupVersion ?? '?'}${r.quick ? ', --quick' : ''}`,
    `image env: ${r.imageEnv.join(' ')}`,
    cache,
    `load average ${r.machine.loadAverage.start} at the start, ${r.machine.loadAverage.end ?? '?'} at the end, ${r.machine.cpus} cores`,
  ];
  if (r.imageBundleIsCheckout === false)
    lines.push("NOTE: the image's /app/main.cjs is not this checkout's bundle (built from other sources)");
  lines.push(
    '',
    '## idle, 2 s after serving',
    renderTable(
      IDLE_HEADERS,
      r.runs.flatMap((run) =>
        SERVERS.map((name) => {
          const s = run.servers[name];
          return [
            run.cache,
            run.limitMiB,
            name,
            fmt(s?.startupMs),
            fmt(s?.cachedAtStartMiB, 1),
            fmt(s?.workingSetMiB, 1),
            fmt(s?.anonMiB, 1),
            fmt(s?.fileMiB, 1),
            fmt(s?.mappedFileMiB, 1),
            s?.majorFaults,
            s?.limitHits,
          ];
        }),
      ),
    ),
    "cached: the image's node and /app files in the page cache just before the start; WS: working set (usage − inactive file, " +
      "as the kubelet counts it); anon: its anonymous part; file: page cache charged to the container; mapped: the part mapped (node's code)",
  );
  for (const run of r.runs) {
    lines.push(
      '',
      `## phases, ${run.cache}, ${run.limitMiB} MiB` +
        (run.idleAfterLoadMiB === undefined
          ? ''
          : ` (working set 2 s after the last: ${fmt(run.idleAfterLoadMiB, 1)} MiB)`),
      renderTable(
        PHASE_HEADERS,
        run.phases.map((p) => [
          p.name,
          fmt(p.seconds, 1),
          p.ops,
          fmtRate(p.opsPerSec),
          p.unavailable,
          p.failures,
          fmt(p.peakUsageMiB, 1),
          fmt(p.peakWorkingSetMiB, 1),
          fmt(p.peakAnonMiB, 1),
          p.majorFaults,
          p.limitHits,
          p.oomKilled || p.oomKills > 0 ? 'yes' : '',
          p.verdict,
          problems(p),
        ]),
      ),
    );
    for (const p of run.phases) {
      if (p.firstFailure !== undefined) lines.push(`first failure in ${p.name}: ${p.firstFailure}`);
      if (p.firstUnavailable !== undefined) lines.push(`first 503 in ${p.name}: ${p.firstUnavailable}`);
      if (p.exitCode !== undefined || p.restartMs !== undefined) {
        const how = p.exitCode === undefined ? 'stopped (not answering /healthz)' : `exited ${p.exitCode}`;
        const restart =
          p.restartMs === undefined ? ', not restarted' : `, restarted in ${fmt(p.restartMs)} ms`;
        lines.push(`${p.name}: the container ${how}${p.oomKilled ? ' (OOM-killed)' : ''}${restart}`);
      }
    }
  }
  lines.push(...ratioTable(r));
  for (const failure of r.failures) lines.push(`FAILED: ${failure}`);
  lines.push('', exitCodeOf(r) === 0 ? 'verdict: ok' : 'verdict: NOT OK (exit code 1)');
  return lines.join('\n');
}
