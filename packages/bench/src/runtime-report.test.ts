import { describe, expect, it } from 'vitest';
import { toListing } from './floors/http.js';
import {
  cpuToFloor,
  type DriverOpResult,
  type DriverReport,
  parseDriverReport,
  type RuntimeResults,
  type RuntimeServerResult,
  renderRuntimeReport,
  statusText,
} from './runtime-report.js';
import { runtimeServers } from './runtime-run.js';
import { VARIANTS } from './variants.js';

const op = (serverCpuUsPerOp: number | null, extra: Partial<DriverOpResult> = {}): DriverOpResult => ({
  ops: 100,
  seconds: 1,
  opsPerSec: 100,
  p50Ms: 1,
  p99Ms: 2,
  meanMs: 1.1,
  serverCpuUsPerOp,
  serverCpuTicks: 1,
  clientCpuUsPerOp: 50,
  warmupOps: 10,
  expectedStatus: 200,
  statuses: { '200': 100 },
  ok: true,
  ...extra,
});

const driver = (ops: DriverReport['ops']): DriverReport => ({
  python: '3.11.7',
  clockTicksPerSecond: 100,
  valueBytes: 1024,
  limits: { ops: 100, seconds: 1, warmup: 10 },
  ops,
  failures: [],
  ok: true,
});

const server = (
  name: string,
  kind: 'floor' | 'connector',
  backend: 'redis' | 's3',
  ops: DriverReport['ops'],
): RuntimeServerResult => ({ server: name, kind, backend, driver: driver(ops), failures: [] });

describe('cpuToFloor', () => {
  const floor = server('floor-redis', 'floor', 'redis', { GET: op(200), PUT: op(null) });
  const connector = server('redis-buffered-cas', 'connector', 'redis', { GET: op(300), PUT: op(400) });
  const s3 = server('s3-buffered-lww', 'connector', 's3', { GET: op(900) });
  const all = [floor, connector, s3];

  it('divides by the same backend floor, per op', () => {
    expect(cpuToFloor(all, connector, 'GET')).toBe(1.5);
    expect(cpuToFloor(all, floor, 'GET')).toBe(1);
  });

  it('is undefined without a floor figure or own figure', () => {
    expect(cpuToFloor(all, connector, 'PUT')).toBeUndefined(); // floor measured nothing
    expect(cpuToFloor(all, connector, 'HEAD')).toBeUndefined(); // not measured
    expect(cpuToFloor(all, s3, 'GET')).toBeUndefined(); // no S3 floor
  });
});

describe('statusText', () => {
  it('is ok, or lists the unexpected outcomes', () => {
    expect(statusText(op(1))).toBe('ok');
    const failed = op(1, { ok: false, statuses: { '200': 98, '503': 1, 'warm-up 500': 1 } });
    expect(statusText(failed)).toBe('FAILED 503 x1, warm-up 500 x1');
  });
});

describe('parseDriverReport', () => {
  it('accepts a report and rejects anything else, quoting it', () => {
    const report = driver({ GET: op(1) });
    expect(parseDriverReport(`${JSON.stringify(report)}\n`)).toEqual(report);
    expect(() => parseDriverReport('Traceback (most recent call last)')).toThrow(/no JSON: Traceback/);
    expect(() => parseDriverReport('{"ok": true}')).toThrow(/not a driver report/);
    expect(() => parseDriverReport('')).toThrow(/\(nothing\)/);
  });
});

describe('renderRuntimeReport', () => {
  it('prints a table per backend with the ratio to the floor, and the failures', () => {
    const results: RuntimeResults = {
      date: '2026-01-01T00:00:00.000Z',
      machine: {
        cpus: 2,
        cpuModel: 'test',
        memoryGiB: 1,
        node: 'v24',
        kernel: '6',
        s3Server: 'rgw',
        loadAverage: { start: 1, end: 2 },
      },
      settings: { ops: 100, seconds: 1, warmup: 10, valueBytes: 1024, startupRuns: 10, python: 'python3' },
      connectorNodeOptions: '',
      servers: [
        {
          ...server('floor-redis', 'floor', 'redis', { GET: op(200) }),
          startup: { runsMs: [90, 100, 110], medianMs: 100, targetMs: 300, nodeBaselineMs: 40 },
        },
        {
          ...server('redis-buffered-cas', 'connector', 'redis', { GET: op(300) }),
          startup: { runsMs: [140, 150, 160], medianMs: 150, targetMs: 300, nodeBaselineMs: 40 },
        },
      ],
      failures: ['redis-buffered-cas: PUT: expected 204'],
    };
    const text = renderRuntimeReport(results);
    expect(text).toContain('## runtime: redis');
    expect(text).not.toContain('## runtime: s3');
    expect(text).toMatch(/redis-buffered-cas\s+GET\s+100\s+1\.00\s+2\.00\s+300\s+1\.50x/);
    expect(text).toMatch(/redis-buffered-cas\s+PUT\s+-.*not measured/);
    expect(text).toMatch(/redis-buffered-cas\s+150\s+140\s+160\s+1\.50x\s+40/);
    expect(text).toContain('Python 3.11.7');
    expect(text).toContain('- redis-buffered-cas: PUT: expected 204');
  });
});

describe('runtimeServers', () => {
  it('puts each backend floor (and the Redis floor behind hono) before its variants', () => {
    const servers = runtimeServers(VARIANTS);
    expect(servers.map((s) => s.name)).toEqual([
      'floor-redis',
      'floor-redis-hono',
      'redis-buffered-cas',
      'floor-s3',
      's3-buffered-lww',
      's3-buffered-cas',
      's3-passthrough',
    ]);
    expect(servers[0]!.entry).toMatch(/\/floors\/redis\.cjs$/); // dist/ when built, src/ under vitest;
    expect(servers[1]).toMatchObject({ kind: 'framework', backend: 'redis' });
    expect(servers[1]!.entry).toMatch(/\/floors\/redis-hono\.cjs$/);
    expect(runtimeServers(VARIANTS.filter((v) => v.backend === 's3')).map((s) => s.kind)[0]).toBe('floor');
  });
});

describe('toListing (the floors)', () => {
  it('splits names into keys and next-level prefixes', () => {
    expect(toListing(['p/b', 'p/a', 'p/d/x', 'p/d/y', 'p/c/'], 'p/', '/')).toEqual({
      keys: ['p/a', 'p/b'],
      prefixes: ['p/c/', 'p/d/'],
    });
    expect(toListing(['p/d/x'], 'p/', '')).toEqual({ keys: ['p/d/x'], prefixes: [] });
  });
});
