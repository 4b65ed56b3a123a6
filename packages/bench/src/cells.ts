/**
 * The throughput matrix: per object size, GET and PUT at each concurrency, through the connector
 * and directly, measured back to back so both see the same machine (other work on a 2-core box
 * moves the absolute numbers; the ratio of neighbours is far steadier).
 */
import { randomBytes } from 'node:crypto';
import { type CpuMeter, meterCpu } from './cpu.js';
import { type LoadResult, runLoad } from './load.js';
import type { KvTarget } from './targets.js';

export type Op = 'GET' | 'PUT';
/** connector: keep-alive client; connector-newconn: a new connection per operation (the runtime). */
export type Mode = 'connector' | 'connector-newconn' | 'direct';

export interface SizeSpec {
  name: string;
  bytes: number;
  concurrencies: number[];
  /** Concurrencies also measured with a new connection per operation. */
  newConnectionAt: number[];
  /** Measured operations at least, however long they take. */
  minOps: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

export const SIZES: readonly SizeSpec[] = [
  { name: '1KiB', bytes: KiB, concurrencies: [1, 16], newConnectionAt: [16], minOps: 50 },
  { name: '64KiB', bytes: 64 * KiB, concurrencies: [1, 16], newConnectionAt: [], minOps: 20 },
  { name: '4MiB', bytes: 4 * MiB, concurrencies: [1, 4], newConnectionAt: [], minOps: 8 },
];

export interface Timing {
  cellMs: number;
  warmupMs: number;
}

export interface CellResult extends LoadResult {
  size: string;
  bytes: number;
  op: Op;
  concurrency: number;
  mode: Mode;
  /** CPU µs per operation of this process (load generator + direct client). */
  clientCpuUsPerOp: number;
  /** CPU µs per operation of the connector process (connector modes only). */
  connectorCpuUsPerOp?: number;
}

export interface CellTargets {
  /** The connector process, for its CPU time. */
  connectorPid: number;
  connector: KvTarget;
  connectorNewConnection: KvTarget;
  direct: KvTarget;
}

/** GET keys per size: enough that concurrent readers do not all hit one object. */
const GET_POOL = 16;
const getKey = (size: SizeSpec, worker: number) => `bench/get/${size.name}/${worker % GET_POOL}`;
/** PUT keys: one per worker and mode, so CAS variants never conflict with themselves. */
const putKey = (size: SizeSpec, mode: Mode, worker: number) => `bench/put/${size.name}/${mode}/${worker}`;

/** Writes the GET pool through the direct client (same objects the connector reads). */
export async function fillGetPool(direct: KvTarget, size: SizeSpec): Promise<void> {
  const body = randomBytes(size.bytes);
  await Promise.all(Array.from({ length: GET_POOL }, (_, i) => direct.put(getKey(size, i), body)));
}

export async function measureSize(
  size: SizeSpec,
  targets: CellTargets,
  timing: Timing,
  onCell: (cell: CellResult) => void,
): Promise<CellResult[]> {
  const body = randomBytes(size.bytes);
  const cells: CellResult[] = [];
  const run = async (op: Op, concurrency: number, mode: Mode) => {
    const target =
      mode === 'direct'
        ? targets.direct
        : mode === 'connector'
          ? targets.connector
          : targets.connectorNewConnection;
    const operation =
      op === 'GET'
        ? (worker: number) => target.get(getKey(size, worker), size.bytes)
        : (worker: number) => target.put(putKey(size, mode, worker), body);
    let meter: CpuMeter | undefined;
    const result = await runLoad(operation, {
      concurrency,
      durationMs: timing.cellMs,
      warmupMs: timing.warmupMs,
      minOps: size.minOps,
      onMeasureStart: () => {
        meter = meterCpu(mode === 'direct' ? undefined : targets.connectorPid);
      },
    });
    const cpu = meter?.stop(result.ops + result.errors);
    const cell: CellResult = {
      size: size.name,
      bytes: size.bytes,
      op,
      concurrency,
      mode,
      ...result,
      clientCpuUsPerOp: cpu?.clientUsPerOp ?? Number.NaN,
    };
    if (cpu?.connectorUsPerOp !== undefined) cell.connectorCpuUsPerOp = cpu.connectorUsPerOp;
    cells.push(cell);
    onCell(cell);
  };
  for (const op of ['GET', 'PUT'] as const) {
    for (const concurrency of size.concurrencies) {
      await run(op, concurrency, 'connector');
      await run(op, concurrency, 'direct');
      if (size.newConnectionAt.includes(concurrency)) await run(op, concurrency, 'connector-newconn');
    }
  }
  return cells;
}
