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
  /** Run the runtime scenario (runtime.ts) as a section of `pnpm bench` too. */
  runtime: boolean;
}

/** The runtime scenario's knobs (runtime.ts, and the section of `pnpm bench`). */
export interface RuntimeConfig {
  /** Measured operations per server and operation type, at most. */
  ops: number;
  /** Measured seconds per server and operation type, at most. */
  seconds: number;
  /** Unmeasured operations per server and operation type first. */
  warmup: number;
  valueBytes: number;
  startupRuns: number;
  /** The Python that runs python/runtime_client.py. */
  python: string;
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
    runtime: flag('BENCH_RUNTIME', true),
  };
}

export function readRuntimeConfig(): RuntimeConfig {
  const positive = (name: string, fallback: number) => {
    const value = integer(name, fallback);
    if (value < 1) throw new Error(`${name} must be at least 1, got ${value}`);
    return value;
  };
  return {
    ops: positive('BENCH_RUNTIME_OPS', 5000),
    seconds: positive('BENCH_RUNTIME_SECONDS', 5),
    warmup: integer('BENCH_RUNTIME_WARMUP', 300),
    valueBytes: 1024,
    startupRuns: positive('BENCH_STARTUP_RUNS', 10),
    python: process.env.BENCH_PYTHON || 'python3',
  };
}
