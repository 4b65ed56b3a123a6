/**
 * Prometheus metrics. What requests report is counted in plain numbers on the request path (a
 * Map lookup and a few additions per request), and prom-client is loaded only when `/metrics` is
 * first scraped: it formats those counts, the memory budget gauges and Node's process metrics.
 * prom-client's own Histogram and labelled Counter cost about 2 µs per request between them
 * (label hashing, number-keyed bucket objects), and its default process metrics sample the event
 * loop's delay (once a second here) and observe every GC: a sidecar that nobody scrapes pays for
 * none of that, one that is scraped pays it from the first scrape on.
 */
import type { Metric } from 'prom-client';
import type { MemoryBudget } from './memory-budget.js';

/**
 * How often prom-client samples the event loop's delay once /metrics has been scraped. Its 10 ms
 * woke an idle connector 100 times a second: 160 ms of CPU per 30 s, a quarter of a 20m request.
 */
const EVENT_LOOP_SAMPLE_MS = 1000;

/** What a request does, for metrics and logs (see http/target.ts for how it is told). */
export const OPERATIONS = [
  'read',
  'write',
  'stat',
  'delete',
  'list',
  'get_attribute',
  'set_attribute',
  'healthz',
  'readyz',
  'metrics',
  'other',
] as const;
export type Operation = (typeof OPERATIONS)[number];

/** Upper bounds of the latency histogram, in seconds. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Everything counted for one operation. */
export class OperationCounts {
  readonly byStatus = new Map<number, number>();
  /** Requests per latency bucket (not cumulative); the last slot is above every bound. */
  readonly buckets = new Float64Array(DURATION_BUCKETS.length + 1);
  seconds = 0;
  count = 0;
  /** Backend failures by error code (unavailable, timeout, permission_denied). */
  readonly backendErrors = new Map<string, number>();
  casConflicts = 0;

  constructor(readonly operation: Operation) {}

  /** One request answered with `status` after `seconds`. */
  finished(status: number, seconds: number): void {
    this.answered(status);
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
    this.buckets[bucket]!++;
    this.seconds += seconds;
    this.count++;
  }

  /** A request answered without going through the app (unparsable, CONNECT): no latency counted. */
  answered(status: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
  }

  backendError(code: string): void {
    this.backendErrors.set(code, (this.backendErrors.get(code) ?? 0) + 1);
  }
}

export interface MetricsOptions {
  /** Add Node's process metrics (RSS, heap, CPU, event loop delay, GC) to /metrics. */
  processMetrics: boolean;
  memory?: MemoryBudget;
  /** Requests being served right now, read at scrape time. */
  inFlight?: () => number;
}

/** A metric in the shape prom-client's Registry formats (what its own metric classes return from get()). */
interface Exposed {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  aggregator: 'sum';
  get(): { name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] };
  reset(): void;
}
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

export class Metrics {
  readonly #counts = new Map<Operation, OperationCounts>(
    OPERATIONS.map((op) => [op, new OperationCounts(op)]),
  );
  readonly #options: MetricsOptions;
  #registry: Promise<{ metrics(): Promise<string>; contentType: string }> | undefined;

  constructor(options: MetricsOptions) {
    this.#options = options;
  }

  /** The counts of `operation`; requests report to it. */
  of(operation: Operation): OperationCounts {
    return this.#counts.get(operation)!;
  }

  /** The Prometheus text exposition of everything, and its content type. */
  async exposition(): Promise<{ text: string; contentType: string }> {
    this.#registry ??= this.#createRegistry();
    const registry = await this.#registry;
    return { text: await registry.metrics(), contentType: registry.contentType };
  }

  async #createRegistry() {
    const { Registry, Gauge, collectDefaultMetrics } = await import('prom-client');
    const registry = new Registry();
    if (this.#options.processMetrics) {
      collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
      // Their statistics include the sampling interval, so at a 1 s interval they say "1 s":
      // left out. nodejs_eventloop_lag_seconds, measured when /metrics is scraped, stays.
      for (const stat of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'])
        registry.removeSingleMetric(`nodejs_eventloop_lag_${stat}_seconds`);
    }
    const all = [...this.#counts.values()];
    const exposed: Exposed[] = [
      exposedMetric(
        'state_proxy_requests_total',
        'Requests served, by operation and HTTP status',
        'counter',
        () =>
          all.flatMap((c) =>
            [...c.byStatus].map(([status, value]) => ({ labels: { operation: c.operation, status }, value })),
          ),
      ),
      exposedMetric(
        'state_proxy_request_duration_seconds',
        'Request latency, by operation',
        'histogram',
        () =>
          all.flatMap((c) =>
            c.count === 0 ? [] : histogramSamples('state_proxy_request_duration_seconds', c),
          ),
      ),
      exposedMetric('state_proxy_requests_in_flight', 'Requests being served right now', 'gauge', () => [
        { labels: {}, value: this.#options.inFlight?.() ?? 0 },
      ]),
      exposedMetric(
        'state_proxy_backend_errors_total',
        'Backend failures (unavailable, timeout, permission_denied), by operation and error code',
        'counter',
        () =>
          all.flatMap((c) =>
            [...c.backendErrors].map(([code, value]) => ({
              labels: { operation: c.operation, code },
              value,
            })),
          ),
      ),
      exposedMetric(
        'state_proxy_cas_conflicts_total',
        'Writes refused because the key changed since it was read (409)',
        'counter',
        () =>
          all.flatMap((c) =>
            c.casConflicts === 0 ? [] : [{ labels: { operation: c.operation }, value: c.casConflicts }],
          ),
      ),
    ];
    // registerMetric takes any object of this shape; prom-client's own metrics are such objects.
    for (const metric of exposed) registry.registerMetric(metric as unknown as Metric);
    const { memory } = this.#options;
    if (memory) {
      new Gauge({
        name: 'state_proxy_body_memory_budget_bytes',
        help: 'The memory budget for request and value bytes (STATE_MEMORY_BUDGET_BYTES)',
        registers: [registry],
        collect() {
          this.set(memory.totalBytes);
        },
      });
      new Gauge({
        name: 'state_proxy_body_memory_held_bytes',
        help: 'Bytes of the memory budget held by requests right now',
        registers: [registry],
        collect() {
          this.set(memory.totalBytes - memory.availableBytes);
        },
      });
      new Gauge({
        name: 'state_proxy_body_memory_waiting_requests',
        help: 'Requests waiting for their share of the memory budget',
        registers: [registry],
        collect() {
          this.set(memory.waitingCount);
        },
      });
    }
    return registry;
  }
}

function exposedMetric(name: string, help: string, type: Exposed['type'], values: () => Sample[]): Exposed {
  return {
    name,
    help,
    type,
    aggregator: 'sum',
    get: () => ({ name, help, type, aggregator: 'sum', values: values() }),
    reset: () => {},
  };
}

/** One operation's histogram as Prometheus has it: cumulative buckets up to +Inf, then sum and count. */
function histogramSamples(name: string, counts: OperationCounts): Sample[] {
  const samples: Sample[] = [];
  let cumulative = 0;
  DURATION_BUCKETS.forEach((bound, i) => {
    cumulative += counts.buckets[i]!;
    samples.push({
      metricName: `${name}_bucket`,
      labels: { le: bound, operation: counts.operation },
      value: cumulative,
    });
  });
  samples.push({
    metricName: `${name}_bucket`,
    labels: { le: '+Inf', operation: counts.operation },
    value: counts.count,
  });
  samples.push({ metricName: `${name}_sum`, labels: { operation: counts.operation }, value: counts.seconds });
  samples.push({ metricName: `${name}_count`, labels: { operation: counts.operation }, value: counts.count });
  return samples;
}
