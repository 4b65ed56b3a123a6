/** JSON logs (pino) and Prometheus metrics (prom-client), one registry per server. */
import { type Logger, pino } from 'pino';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { LogLevel } from './config.js';
import type { MemoryBudget } from './memory-budget.js';

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base,
    // Defence in depth: whatever a log call passes, these fields never reach the output.
    redact: { paths: ['password', '*.password', 'secretAccessKey', '*.secretAccessKey'], censor: '***' },
  });
}

export interface Metrics {
  registry: Registry;
  requests: Counter<'operation' | 'status'>;
  inFlight: Gauge;
  duration: Histogram<'operation'>;
  backendErrors: Counter<'operation' | 'code'>;
  casConflicts: Counter<'operation'>;
}

export function createMetrics(options: { processMetrics: boolean; memory?: MemoryBudget }): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const { memory } = options;
  if (memory) {
    // Read at scrape time only: nothing on the request path.
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
  return {
    registry,
    requests: new Counter({
      name: 'state_proxy_requests_total',
      help: 'Requests served, by operation and HTTP status',
      labelNames: ['operation', 'status'],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: 'state_proxy_requests_in_flight',
      help: 'Requests being served right now',
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'state_proxy_request_duration_seconds',
      help: 'Request latency, by operation',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    backendErrors: new Counter({
      name: 'state_proxy_backend_errors_total',
      help: 'Backend failures (unavailable, timeout, permission_denied), by operation and error code',
      labelNames: ['operation', 'code'],
      registers: [registry],
    }),
    casConflicts: new Counter({
      name: 'state_proxy_cas_conflicts_total',
      help: 'Writes refused because the key changed since it was read (409)',
      labelNames: ['operation'],
      registers: [registry],
    }),
  };
}
