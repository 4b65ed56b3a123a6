/** Knobs of a run, from the environment (defaults keep a full run under ~8 minutes on 2 cores). */
import type { Timing } from './cells.js';

export interface BenchConfig {
  timing: Timing;
  contentionMs: number;
  startupRuns: number;
  /** Run the 1 GiB passthrough stream (about a minute). */
  stream: boolean;
  /** Exit 1 when a target is missed (default: report only). */
  strict: boolean;
  /** Write docs/benchmarks.{json,svg}: only for a full run with default timing, unless forced. */
  writeDocs: boolean;
}

function integer(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

const flag = (name: string, fallback: boolean) => {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : raw === '1' || raw === 'true';
};

export function readConfig(): BenchConfig {
  const timing = { cellMs: integer('BENCH_CELL_MS', 2000), warmupMs: integer('BENCH_WARMUP_MS', 500) };
  const full = !process.env.BENCH_VARIANTS && !process.env.BENCH_CELL_MS && !process.env.BENCH_WARMUP_MS;
  return {
    timing,
    contentionMs: integer('BENCH_CONTENTION_MS', 4000),
    startupRuns: integer('BENCH_STARTUP_RUNS', 10),
    stream: flag('BENCH_STREAM', true),
    strict: flag('BENCH_STRICT', false),
    writeDocs: flag('BENCH_WRITE_DOCS', full),
  };
}
