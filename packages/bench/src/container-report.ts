/** The container scenario's results (the JSON file) and their text rendering (stdout). */
import type { OutcomeCounts } from './outcomes.js';
import { fmt, fmtRate, renderTable } from './table.js';

export interface ProcessFigures {
  /** spawn() to the first 200 on /healthz. */
  startupMs: number;
  /** Working set 2 s after it started serving, and its anonymous part. */
  idleWorkingSetMiB: number;
  idleAnonMiB: number;
  /** Page faults read from disk until then (start-up included). */
  majorFaults: number;
  limitHits: number;
  oomKills: number;
}

/** OOM-killed, exited otherwise, alive but not answering /healthz, requests failed, or fine. */
export type Verdict = 'ok' | 'OOM' | 'DIED' | 'HUNG' | 'FAILED' | 'NOT RUN';

export interface PhaseResult extends OutcomeCounts {
  name: string;
  seconds: number;
  /** Operations answered as expected. */
  ops: number;
  opsPerSec: number;
  peakWorkingSetMiB: number;
  peakAnonMiB: number;
  /** Page faults read from disk during the phase: many, and the process is thrashing. */
  majorFaults: number;
  samples: number;
  maxSampleGapMs: number;
  /** During this phase (deltas of the cgroup's counters). */
  limitHits: number;
  oomKills: number;
  /** Whether the connector was still running at the end of the phase. */
  alive: boolean;
  /** ... and answered /healthz within 10 s (else it is killed and started again, as a liveness probe would). */
  responsive: boolean;
  exitStatus?: string;
  /** The connector's last output, when it died. */
  outputTail?: string;
  /** Start-up of the connector started again after it died in this phase. */
  restartMs?: number;
  verdict: Verdict;
}

export interface ContainerResults {
  date: string;
  variant: string;
  limitMiB: number;
  cgroup: { version: 1 | 2; dir: string };
  nodeOptions: string;
  node: string;
  /** The readahead of the disk the cold copies were on; the host's, for comparison. */
  binaryDisk: { readaheadKb: number | undefined; loopDevice: boolean; hostReadaheadKb: number | undefined };
  s3Kind: string;
  quick: boolean;
  largeBytes: number[];
  floor?: ProcessFigures;
  connector?: ProcessFigures & { idleAfterLoadMiB?: number };
  phases: PhaseResult[];
  /** Errors that stopped a part of the run (a connector that would not start...). */
  failures: string[];
}

export function exitCodeOf(results: ContainerResults): number {
  return results.failures.length > 0 || results.phases.some((p) => p.verdict !== 'ok') ? 1 : 0;
}

const problems = (p: PhaseResult) =>
  Object.entries(p.problems)
    .map(([label, count]) => `${label} ×${count}`)
    .join(', ');

export function renderContainerReport(r: ContainerResults): string {
  const lines = [
    `# container scenario: ${r.variant}, memory limit ${r.limitMiB} MiB (cgroup v${r.cgroup.version}), ` +
      `node ${r.node}, NODE_OPTIONS="${r.nodeOptions}"${r.quick ? ', --quick' : ''}`,
    `node binary and bundle: cold copies on ${r.binaryDisk.loopDevice ? 'a loop device' : 'the host disk'} with ` +
      `read_ahead_kb ${r.binaryDisk.readaheadKb ?? '?'} (host disk: ${r.binaryDisk.hostReadaheadKb ?? '?'})`,
    '',
  ];
  const processRow = (label: string, f: ProcessFigures | undefined) => [
    label,
    fmt(f?.startupMs),
    fmt(f?.idleWorkingSetMiB, 1),
    fmt(f?.idleAnonMiB, 1),
    f?.majorFaults,
    f?.limitHits,
    f?.oomKills,
  ];
  const rows = [processRow('floor (bare node:http)', r.floor), processRow('connector', r.connector)];
  if (r.floor && r.connector) {
    const ws = fmt(r.connector.idleWorkingSetMiB - r.floor.idleWorkingSetMiB, 1);
    rows.push(['difference', undefined, ws, fmt(r.connector.idleAnonMiB - r.floor.idleAnonMiB, 1)]);
  }
  const processHeaders = ['process', 'start-up ms', 'idle WS MiB', 'idle anon MiB', 'major faults'];
  lines.push(renderTable([...processHeaders, 'limit hits', 'OOM kills'], rows));
  if (r.connector?.idleAfterLoadMiB !== undefined)
    lines.push(
      '',
      `connector working set 2 s after the last phase: ${fmt(r.connector.idleAfterLoadMiB, 1)} MiB`,
    );
  const phaseHeaders = ['phase', 's', 'ops', 'ops/s', '503', 'failed', 'peak WS MiB', 'peak anon MiB'];
  if (r.phases.length > 0)
    lines.push(
      '',
      renderTable(
        [...phaseHeaders, 'major faults', 'limit hits', 'OOM', 'alive', 'verdict', 'not as expected'],
        r.phases.map((p) => [
          p.name,
          fmt(p.seconds, 1),
          p.ops,
          fmtRate(p.opsPerSec),
          p.unavailable,
          p.failures,
          fmt(p.peakWorkingSetMiB, 1),
          fmt(p.peakAnonMiB, 1),
          p.majorFaults,
          p.limitHits,
          p.oomKills,
          p.responsive ? 'yes' : p.alive ? 'HUNG' : 'NO',
          p.verdict,
          problems(p),
        ]),
      ),
      '',
      'WS: working set (usage − inactive file, as the kubelet counts it); anon: its anonymous part; ' +
        'major faults: pages read back from disk (thousands: thrashing on file pages, e.g. node itself)',
    );
  const oom = r.phases.filter((p) => p.verdict === 'OOM');
  const hung = r.phases.filter((p) => p.verdict === 'HUNG');
  if (hung.length > 0)
    lines.push(
      '',
      `HUNG: the connector stopped answering /healthz after ${hung.map((p) => p.name).join(', ')}, killed and restarted for the next phase`,
    );
  if (oom.length > 0)
    lines.push(
      '',
      `OOM: the connector was OOM-killed in ${oom.map((p) => p.name).join(', ')}, restarted for the next phase`,
    );
  for (const p of r.phases.filter((p) => p.firstFailure !== undefined))
    lines.push(`first failure in ${p.name}: ${p.firstFailure}`);
  for (const p of r.phases.filter((p) => p.firstUnavailable !== undefined))
    lines.push(`first 503 in ${p.name}: ${p.firstUnavailable}`);
  for (const p of r.phases.filter((p) => p.exitStatus !== undefined || p.restartMs !== undefined)) {
    const how = p.exitStatus === undefined ? 'killed (not answering /healthz)' : `ended (${p.exitStatus})`;
    const restart = p.restartMs === undefined ? ', not restarted' : `, restarted in ${fmt(p.restartMs)} ms`;
    lines.push(`${p.name}: connector ${how}${restart}`);
  }
  for (const failure of r.failures) lines.push(`FAILED: ${failure}`);
  lines.push('', exitCodeOf(r) === 0 ? 'verdict: ok' : 'verdict: NOT OK (exit code 1)');
  return lines.join('\n');
}
