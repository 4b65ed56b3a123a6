/**
 * The run's results as data: the full record (bench-results/<date>.json, not committed) and the
 * summary the README quotes (docs/benchmarks.json, committed), plus the verdicts against targets.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { CellResult, Mode, Op, Timing } from './cells.js';
import type { ContentionResult } from './contention.js';
import type { RuntimeResults } from './runtime-report.js';
import type { StartupResult } from './startup.js';
import { ratio } from './stats.js';
import type { StreamResult } from './stream.js';
import type { VariantResult } from './variant-run.js';
import { VARIANTS } from './variants.js';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
  s3Server: string;
  /** 1-minute load average when the run started and ended: other work on the box skews figures. */
  loadAverage: { start: number; end?: number };
}

export interface RunResults {
  date: string;
  machine: Machine;
  timing: Timing;
  /** BENCH_CONNECTOR_NODE_OPTIONS of the run, if any. */
  connectorNodeOptions: string;
  variants: VariantResult[];
  startup: Record<string, StartupResult>;
  contention: Record<string, ContentionResult>;
  /** Absent when not measured; `streamError` says why. */
  stream?: StreamResult;
  streamError?: string;
  /** The runtime scenario (BENCH_RUNTIME=0 skips it). */
  runtime?: RuntimeResults;
  /** What failed outright (a variant that would not start...), so a partial run still reports. */
  failures: string[];
}

export function describeMachine(s3Server: string): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    s3Server,
    loadAverage: { start: Number(loadavg()[0]!.toFixed(2)) },
  };
}

export function findCell(
  cells: readonly CellResult[],
  size: string,
  op: Op,
  concurrency: number,
  mode: Mode,
): CellResult | undefined {
  return cells.find(
    (c) => c.size === size && c.op === op && c.concurrency === concurrency && c.mode === mode,
  );
}

export interface Verdict {
  variant: string;
  what: string;
  measured: string;
  target: string;
  ok: boolean;
}

export function verdicts(results: RunResults): Verdict[] {
  const out: Verdict[] = [];
  for (const run of results.variants) {
    const variant = VARIANTS.find((v) => v.name === run.variant)!;
    for (const op of ['GET', 'PUT'] as const) {
      const direct = findCell(run.cells, '1KiB', op, 16, 'direct');
      for (const mode of ['connector', 'connector-newconn'] as const) {
        const cell = findCell(run.cells, '1KiB', op, 16, mode);
        const r = cell && ratio(cell.opsPerSec, direct?.opsPerSec);
        if (r === undefined) continue;
        const how = mode === 'connector' ? 'keep-alive' : 'new conn/op';
        out.push({
          variant: run.variant,
          what: `1 KiB ${op} c16 (${how}) / direct`,
          measured: `${r.toFixed(2)}x`,
          target: `>= ${variant.targetRatio}x`,
          ok: r >= variant.targetRatio && (cell?.errors ?? 0) === 0,
        });
      }
    }
    const { memory } = run;
    for (const [what, value] of [
      ['RSS idle', memory.idleMiB],
      ['RSS peak, 1 KiB load', memory.smallLoadPeakMiB],
      ['RSS peak, whole run (4 MiB bodies)', memory.runPeakMiB],
    ] as const) {
      out.push({
        variant: run.variant,
        what,
        measured: `${value.toFixed(1)} MiB`,
        target: `< ${memory.limitMiB} MiB`,
        ok: value < memory.limitMiB,
      });
    }
  }
  for (const [variant, startup] of Object.entries(results.startup)) {
    out.push({
      variant,
      what: `start-up to /healthz, median of ${startup.runsMs.length}`,
      measured: `${startup.medianMs.toFixed(0)} ms`,
      target: `<= ${startup.targetMs} ms`,
      ok: startup.medianMs <= startup.targetMs,
    });
  }
  for (const [variant, c] of Object.entries(results.contention)) {
    out.push({
      variant,
      what: 'lost-update counter exact',
      measured: `${c.finalValue} / ${c.successes}`,
      target: 'final = successes',
      ok: c.exact,
    });
  }
  if (results.stream) {
    out.push({
      variant: 's3-passthrough',
      what: `RSS peak streaming ${(results.stream.bytes / 2 ** 30).toFixed(0)} GiB`,
      measured: `${results.stream.rssPeakMiB.toFixed(1)} MiB`,
      target: `< ${results.stream.limitMiB} MiB`,
      ok: results.stream.rssPeakMiB < results.stream.limitMiB && results.stream.sha256Match,
    });
  }
  return out;
}

const round = (value: number | undefined, digits: number) =>
  value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));

/** The committed summary: every cell rounded, ratios computed, per-run noise (arrays) left out. */
export function summarize(results: RunResults) {
  return {
    date: results.date,
    machine: results.machine,
    timing: results.timing,
    connectorNodeOptions: results.connectorNodeOptions,
    throughput: results.variants.flatMap((run) =>
      run.cells.map((cell) => {
        const direct = findCell(run.cells, cell.size, cell.op, cell.concurrency, 'direct');
        return {
          variant: run.variant,
          size: cell.size,
          op: cell.op,
          concurrency: cell.concurrency,
          mode: cell.mode,
          opsPerSec: round(cell.opsPerSec, 1),
          p50Ms: round(cell.p50Ms, 2),
          p99Ms: round(cell.p99Ms, 2),
          errors: cell.errors,
          ratioToDirect: cell.mode === 'direct' ? null : round(ratio(cell.opsPerSec, direct?.opsPerSec), 2),
        };
      }),
    ),
    memory: Object.fromEntries(
      results.variants.map((run) => [
        run.variant,
        Object.fromEntries(Object.entries(run.memory).map(([name, value]) => [name, round(value, 1)])),
      ]),
    ),
    startupMedianMs: Object.fromEntries(
      Object.entries(results.startup).map(([variant, s]) => [variant, round(s.medianMs, 0)]),
    ),
    contention: results.contention,
    stream: results.stream ?? null,
    verdicts: verdicts(results),
    failures: results.failures,
  };
}
