/**
 * CPU time per operation, for the connector process (from /proc/<pid>/stat) and for this process
 * (the load generator and the direct clients). On a shared 2-core box throughput moves with
 * whatever else runs; CPU spent per operation barely does, and shows where the work is.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of a process so far (ms, 10 ms resolution). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at ") ": state is field 3.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  const utime = Number(fields[11]); // field 14
  const stime = Number(fields[12]); // field 15
  return ((utime + stime) * 1000) / TICKS_PER_SECOND;
}

/** User + system CPU time of this process so far (ms, µs resolution). */
export function selfCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export interface CpuMeter {
  /** Stops; resolves with µs of CPU per operation: this process, and the connector if any. */
  stop(ops: number): { clientUsPerOp: number; connectorUsPerOp?: number };
}

export function meterCpu(connectorPid?: number): CpuMeter {
  const self0 = selfCpuMs();
  const conn0 = connectorPid === undefined ? 0 : processCpuMs(connectorPid);
  return {
    stop(ops) {
      const per = (ms: number) => (ops > 0 ? (ms * 1000) / ops : Number.NaN);
      const clientUsPerOp = per(selfCpuMs() - self0);
      if (connectorPid === undefined) return { clientUsPerOp };
      return { clientUsPerOp, connectorUsPerOp: per(processCpuMs(connectorPid) - conn0) };
    },
  };
}
