/** Latency and throughput summaries of one measured cell. Pure functions, unit-tested. */

export interface Summary {
  /** Completed operations in the measured window (errors excluded). */
  ops: number;
  errors: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/**
 * The q-quantile (0..1) of an ascending array, linearly interpolated between the two nearest
 * ranks (the "R-7" definition spreadsheets and numpy use), so p50 of [1, 2] is 1.5. NaN when empty.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (q <= 0) return sorted[0]!;
  if (q >= 1) return sorted[sorted.length - 1]!;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const fraction = position - below;
  const low = sorted[below]!;
  const high = sorted[Math.min(below + 1, sorted.length - 1)]!;
  return low + (high - low) * fraction;
}

export function median(values: readonly number[]): number {
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

/** Summarizes per-operation latencies (ms) measured over a window of `seconds`. */
export function summarize(latenciesMs: readonly number[], seconds: number, errors = 0): Summary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    ops: sorted.length,
    errors,
    seconds,
    opsPerSec: seconds > 0 ? sorted.length / seconds : 0,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    meanMs: sorted.length > 0 ? total / sorted.length : Number.NaN,
  };
}

/** connector / direct, or undefined when the direct figure is missing or zero. */
export function ratio(connector: number, direct: number | undefined): number | undefined {
  return direct !== undefined && direct > 0 ? connector / direct : undefined;
}
