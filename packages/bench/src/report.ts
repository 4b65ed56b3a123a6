/** The human-readable report printed at the end of a run. */
import type { CellResult } from './cells.js';
import { findCell, type RunResults, verdicts } from './results.js';
import { renderRuntimeReport } from './runtime-report.js';
import { ratio } from './stats.js';
import { type Cell, fmt, fmtMs, fmtRate, renderTable } from './table.js';

const ratioText = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(2)}x`);

/** One line per cell as it finishes, so a long run shows progress. */
export function cellLine(variant: string, cell: CellResult): string {
  const errors = cell.errors > 0 ? `  ERRORS ${cell.errors}: ${cell.firstError}` : '';
  const cpu = `cpu/op: client ${fmt(cell.clientCpuUsPerOp)} us${cell.connectorCpuUsPerOp === undefined ? '' : `, connector ${fmt(cell.connectorCpuUsPerOp)} us`}`;
  return `${variant.padEnd(18)} ${cell.size.padEnd(5)} ${cell.op} c${String(cell.concurrency).padEnd(2)} ${cell.mode.padEnd(17)} ${fmtRate(cell.opsPerSec).padStart(7)} ops/s  p50 ${fmtMs(cell.p50Ms)} ms  p99 ${fmtMs(cell.p99Ms)} ms  ${cpu}${errors}`;
}

function throughputTable(cells: readonly CellResult[]): string {
  const rows: Cell[][] = [];
  const keys = new Map<string, CellResult>();
  for (const cell of cells) keys.set(`${cell.size}|${cell.op}|${cell.concurrency}`, cell);
  for (const { size, op, concurrency } of keys.values()) {
    const direct = findCell(cells, size, op, concurrency, 'direct');
    const keep = findCell(cells, size, op, concurrency, 'connector');
    const fresh = findCell(cells, size, op, concurrency, 'connector-newconn');
    const errors = [direct, keep, fresh].reduce((sum, c) => sum + (c?.errors ?? 0), 0);
    rows.push([
      size,
      op,
      concurrency,
      fmtRate(keep?.opsPerSec),
      fmtMs(keep?.p50Ms),
      fmtMs(keep?.p99Ms),
      fmtRate(direct?.opsPerSec),
      fmtMs(direct?.p50Ms),
      fmtMs(direct?.p99Ms),
      ratioText(keep && ratio(keep.opsPerSec, direct?.opsPerSec)),
      fmtRate(fresh?.opsPerSec),
      fmtMs(fresh?.p99Ms),
      ratioText(fresh && ratio(fresh.opsPerSec, direct?.opsPerSec)),
      fmt(keep?.connectorCpuUsPerOp),
      fmt(keep?.clientCpuUsPerOp),
      fmt(direct?.clientCpuUsPerOp),
      errors,
    ]);
  }
  return renderTable(
    [
      'size',
      'op',
      'c',
      'conn ops/s',
      'p50 ms',
      'p99 ms',
      'direct ops/s',
      'p50 ms',
      'p99 ms',
      'conn/direct',
      'new-conn ops/s',
      'p99 ms',
      'new/direct',
      'conn cpu us/op',
      'client us/op',
      'direct us/op',
      'errors',
    ],
    rows,
  );
}

export function renderReport(results: RunResults): string {
  const { machine } = results;
  const parts: string[] = [
    `State-proxy connector benchmark, ${results.date}`,
    `machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, Linux ${machine.kernel}; S3 server: ${machine.s3Server}; Redis: local redis-server; load average ${machine.loadAverage.start} at start, ${machine.loadAverage.end ?? '-'} at end`,
    `cells: ${results.timing.warmupMs} ms warm-up + ${results.timing.cellMs} ms measured, closed loop; connector = keep-alive client, new-conn = a new connection per operation (as the runtime calls)`,
  ];
  if (results.connectorNodeOptions) parts.push(`connector NODE_OPTIONS: ${results.connectorNodeOptions}`);
  for (const run of results.variants) {
    parts.push('', `## ${run.variant}`, throughputTable(run.cells));
  }

  parts.push(
    '',
    '## Memory (MiB, RSS of the connector process; anon = RssAnon, without the mapped node binary)',
    renderTable(
      ['variant', 'idle', 'idle anon', 'peak 1 KiB load', 'anon', 'peak whole run', 'limit'],
      results.variants.map((run) => [
        run.variant,
        fmt(run.memory.idleMiB, 1),
        fmt(run.memory.idleAnonMiB, 1),
        fmt(run.memory.smallLoadPeakMiB, 1),
        fmt(run.memory.smallLoadPeakAnonMiB, 1),
        fmt(run.memory.runPeakMiB, 1),
        run.memory.limitMiB,
      ]),
    ),
  );
  if (results.stream) {
    const s = results.stream;
    parts.push(
      `s3-passthrough streaming ${fmt(s.bytes / 2 ** 30, 0)} GiB: PUT ${s.putMiBps} MiB/s, GET ${s.getMiBps} MiB/s, ` +
        `RSS idle ${s.rssIdleMiB} MiB, peak after PUT ${s.rssPeakAfterPutMiB} MiB, peak ${s.rssPeakMiB} MiB ` +
        `(limit ${s.limitMiB}), bytes ${s.sha256Match ? 'identical' : 'DIFFER'}`,
    );
  } else if (results.streamError) {
    parts.push(`s3-passthrough 1 GiB stream: not measured (${results.streamError})`);
  }

  parts.push(
    '',
    '## Start-up: spawn to first 200 on /healthz (ms)',
    renderTable(
      ['variant', 'median', 'min', 'max', 'target', 'bare \'node -e ""\' median'],
      Object.entries(results.startup).map(([variant, s]) => [
        variant,
        fmt(s.medianMs),
        fmt(Math.min(...s.runsMs)),
        fmt(Math.max(...s.runsMs)),
        `<= ${s.targetMs}`,
        fmt(s.nodeBaselineMs),
      ]),
    ),
    '',
    '## CAS contention: 8 workers (one connector each), read-increment-write one counter, retry on 409',
    renderTable(
      ['variant', 'increments/s', 'conflicts/success', 'successes', 'final value', 'exact'],
      Object.entries(results.contention).map(([variant, c]) => [
        variant,
        fmtRate(c.incrementsPerSec),
        fmt(c.conflictsPerSuccess, 2),
        c.successes,
        c.finalValue,
        c.exact ? 'yes' : 'NO',
      ]),
    ),
    '',
    '## Targets',
    renderTable(
      ['variant', 'what', 'measured', 'target', 'verdict'],
      verdicts(results).map((v) => [v.variant, v.what, v.measured, v.target, v.ok ? 'met' : 'MISSED']),
    ),
  );
  if (results.runtime) parts.push('', renderRuntimeReport(results.runtime, false));
  if (results.failures.length > 0) parts.push('', '## Failures', ...results.failures.map((f) => `- ${f}`));
  return parts.join('\n');
}
