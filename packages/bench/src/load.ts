/**
 * A closed-loop load generator: `concurrency` workers each run one operation after another until
 * the time is up. A warm-up phase (connections opened, JIT warmed, caches filled) is run first and
 * not measured, so every cell starts from the same steady state.
 */
import { type Summary, summarize } from './stats.js';

/** One operation; `worker` is the worker's index (0..concurrency-1), `seq` counts its calls. */
export type Operation = (worker: number, seq: number) => Promise<void>;

export interface LoadOptions {
  concurrency: number;
  /** Measured window. */
  durationMs: number;
  warmupMs: number;
  /** Slow cells (4 MiB at c1) still get this many measured operations, past the window if need be. */
  minOps?: number;
  /** Errors after which the cell stops: a broken setup should fail fast, not for minutes. */
  maxErrors?: number;
  /** Operations after which the measured window ends early (bounds a run in count as well as time). */
  maxOps?: number;
  /** Called right before the measured window starts (after the warm-up). */
  onMeasureStart?: () => void;
}

export interface LoadResult extends Summary {
  /** The first error seen, for the report. */
  firstError?: string;
}

async function phase(
  operation: Operation,
  options: LoadOptions,
  durationMs: number,
  minOps: number,
  maxOps: number,
  seq: number[],
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const maxErrors = options.maxErrors ?? 20;
  let started = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async (index: number) => {
    while (
      (performance.now() < deadline || latencies.length < minOps) &&
      errors < maxErrors &&
      started < maxOps
    ) {
      started += 1;
      const n = seq[index]!;
      seq[index] = n + 1;
      const t0 = performance.now();
      try {
        await operation(index, n);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));
  const seconds = (performance.now() - start) / 1000;
  const result: LoadResult = summarize(latencies, seconds, errors);
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}

export async function runLoad(operation: Operation, options: LoadOptions): Promise<LoadResult> {
  // Sequence numbers continue across warm-up and measurement, so keys/bodies keep changing.
  const seq = Array.from({ length: options.concurrency }, () => 0);
  const warm = await phase(operation, options, options.warmupMs, 0, Number.POSITIVE_INFINITY, seq);
  if (warm.errors >= (options.maxErrors ?? 20)) return warm;
  options.onMeasureStart?.();
  const maxOps = options.maxOps ?? Number.POSITIVE_INFINITY;
  const measured = await phase(operation, options, options.durationMs, options.minOps ?? 0, maxOps, seq);
  return measured;
}
