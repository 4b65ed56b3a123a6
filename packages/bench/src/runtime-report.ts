/**
 * The runtime scenario's data and text: what the Python driver reports (python/runtime_client.py),
 * one record per server, the ratios to the backend's floor and the tables. Pure, unit-tested.
 */
import type { RuntimeConfig } from './config.js';
import type { Machine } from './results.js';
import type { StartupResult } from './startup.js';
import { ratio } from './stats.js';
import { type Cell, fmt, fmtMs, fmtRate, renderTable } from './table.js';

export const RUNTIME_OPS = ['GET', 'PUT', 'HEAD', 'LIST'] as const;
export type RuntimeOp = (typeof RUNTIME_OPS)[number];

/** One operation type as the driver measured it (null: nothing measured). */
export interface DriverOpResult {
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number | null;
  p99Ms: number | null;
  meanMs: number | null;
  /** The server process's utime+stime over the window, µs per operation. */
  serverCpuUsPerOp: number | null;
  serverCpuTicks: number;
  /** The driver's own CPU (Python's http.client), µs per operation. */
  clientCpuUsPerOp: number | null;
  warmupOps: number;
  expectedStatus: number;
  /** Outcomes by label: the status, or what was wrong with the reply ('warm-up ...' for warm-up). */
  statuses: Record<string, number>;
  ok: boolean;
}

export interface DriverReport {
  python: string;
  clockTicksPerSecond: number;
  valueBytes: number;
  limits: { ops: number; seconds: number; warmup: number };
  ops: Partial<Record<RuntimeOp, DriverOpResult>>;
  failures: string[];
  ok: boolean;
}

/** floor: `node:http` + the backend client; framework: the same behind hono; connector: a variant. */
export type ServerKind = 'floor' | 'framework' | 'connector';
export type Backend = 'redis' | 's3';

export interface RuntimeServerResult {
  server: string;
  kind: ServerKind;
  backend: Backend;
  startup?: StartupResult;
  driver?: DriverReport;
  /** What went wrong with this server (start-up, the driver, unexpected statuses). */
  failures: string[];
}

/** The knobs a run used, recorded with its results. */
export type RuntimeSettings = RuntimeConfig;

export interface RuntimeResults {
  date: string;
  machine: Machine;
  settings: RuntimeSettings;
  connectorNodeOptions: string;
  servers: RuntimeServerResult[];
  failures: string[];
}

/** Parses the driver's stdout; throws, quoting it, when it is not a driver report. */
export function parseDriverReport(stdout: string): DriverReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout.trim());
  } catch {
    throw new Error(`the driver printed no JSON: ${stdout.trim().slice(0, 500) || '(nothing)'}`);
  }
  const report = parsed as Partial<DriverReport> | null;
  if (
    !report ||
    typeof report.ok !== 'boolean' ||
    typeof report.ops !== 'object' ||
    report.ops === null ||
    !Array.isArray(report.failures)
  ) {
    throw new Error(`not a driver report: ${stdout.trim().slice(0, 500)}`);
  }
  return report as DriverReport;
}

/** The floor a server is compared with: the backend's floor's result, if it was measured. */
export function floorOf(
  results: readonly RuntimeServerResult[],
  backend: Backend,
): RuntimeServerResult | undefined {
  return results.find((r) => r.kind === 'floor' && r.backend === backend);
}

/** Server CPU per operation of `server` over the floor's, for `op`; undefined when either is missing. */
export function cpuToFloor(
  results: readonly RuntimeServerResult[],
  server: RuntimeServerResult,
  op: RuntimeOp,
): number | undefined {
  const own = server.driver?.ops[op]?.serverCpuUsPerOp;
  const floor = floorOf(results, server.backend)?.driver?.ops[op]?.serverCpuUsPerOp;
  return own === null || own === undefined || floor === null ? undefined : ratio(own, floor);
}

/** 'ok', or the unexpected outcomes of `op` ("503 x3, error ConnectionResetError: ... x1"). */
export function statusText(result: DriverOpResult): string {
  if (result.ok) return 'ok';
  const expected = String(result.expectedStatus);
  const unexpected = Object.entries(result.statuses)
    .filter(([outcome]) => outcome !== expected)
    .map(([outcome, count]) => `${outcome.slice(0, 60)} x${count}`);
  return `FAILED ${unexpected.join(', ') || `(${result.ops} ops)`}`;
}

const ratioText = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(2)}x`);

function opsTable(results: readonly RuntimeServerResult[], servers: readonly RuntimeServerResult[]): string {
  const rows: Cell[][] = [];
  for (const server of servers) {
    for (const op of RUNTIME_OPS) {
      const result = server.driver?.ops[op];
      if (!result) {
        rows.push([server.server, op, '-', '-', '-', '-', '-', '-', 'not measured']);
        continue;
      }
      rows.push([
        server.server,
        op,
        fmtRate(result.opsPerSec),
        fmtMs(result.p50Ms ?? undefined),
        fmtMs(result.p99Ms ?? undefined),
        fmt(result.serverCpuUsPerOp ?? undefined),
        ratioText(cpuToFloor(results, server, op)),
        fmt(result.clientCpuUsPerOp ?? undefined),
        statusText(result),
      ]);
    }
  }
  return renderTable(
    ['server', 'op', 'ops/s', 'p50 ms', 'p99 ms', 'cpu us/op', 'cpu/floor', 'driver us/op', 'status'],
    rows,
  );
}

function startupTable(
  results: readonly RuntimeServerResult[],
  servers: readonly RuntimeServerResult[],
): string {
  return renderTable(
    ['server', 'start-up median ms', 'min', 'max', 'x floor', 'bare \'node -e ""\' ms'],
    servers.map((server) => {
      const s = server.startup;
      const floor = floorOf(results, server.backend)?.startup;
      return [
        server.server,
        fmt(s?.medianMs),
        s ? fmt(Math.min(...s.runsMs)) : '-',
        s ? fmt(Math.max(...s.runsMs)) : '-',
        ratioText(s && ratio(s.medianMs, floor?.medianMs)),
        fmt(s?.nodeBaselineMs),
      ];
    }),
  );
}

/** The tables, one pair per backend; `header` adds the run's description (standalone runs). */
export function renderRuntimeReport(results: RuntimeResults, header = true): string {
  const { settings, machine } = results;
  const parts: string[] = [];
  if (header) {
    parts.push(
      `State-proxy runtime scenario, ${results.date}`,
      `machine: ${machine.cpus} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, Linux ${machine.kernel}; S3 server: ${machine.s3Server}; load average ${machine.loadAverage.start} at start, ${machine.loadAverage.end ?? '-'} at end`,
    );
    if (results.connectorNodeOptions) parts.push(`server NODE_OPTIONS: ${results.connectorNodeOptions}`);
  }
  const python = results.servers.find((r) => r.driver)?.driver?.python ?? '?';
  parts.push(
    `runtime scenario: Python ${python} http.client, a new connection per request, concurrency 1; ` +
      `${settings.valueBytes} B values; per op ${settings.warmup} warm-up ops, then ${settings.ops} ops or ${settings.seconds} s; ` +
      `cpu = server utime+stime per op, floor = node:http + the backend client alone (floor-redis-hono: the same behind hono and @hono/node-server); start-up: median of ${settings.startupRuns}`,
  );
  for (const backend of ['redis', 's3'] as const) {
    const servers = results.servers.filter((r) => r.backend === backend);
    if (servers.length === 0) continue;
    parts.push(
      '',
      `## runtime: ${backend}`,
      opsTable(results.servers, servers),
      '',
      startupTable(results.servers, servers),
    );
  }
  if (results.failures.length > 0)
    parts.push('', '## runtime failures', ...results.failures.map((f) => `- ${f}`));
  return parts.join('\n');
}
