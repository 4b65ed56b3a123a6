/**
 * A running container's memory as its own memory cgroup counts it, found through the host pid of
 * its pid 1: the `memory` controller's line of /proc/<pid>/cgroup under /sys/fs/cgroup/memory
 * (v1), else the unified line under /sys/fs/cgroup (v2). The engine removes the cgroup with the
 * container, so a reading after that returns the last one made.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MiB = 1024 * 1024;

export interface CgroupFigures {
  /** All that is charged, page cache included: at the limit, the kernel reclaims. */
  usageBytes: number;
  /** Usage minus inactive file pages, as the kubelet counts the working set. */
  workingSetBytes: number;
  /** Anonymous memory (heaps, buffers): what cannot be reclaimed, there being no swap. */
  anonBytes: number;
  /** Page cache charged to the container, and the part of it mapped (node's own code among it). */
  fileBytes: number;
  mappedFileBytes: number;
  /** Page faults that read from disk: thousands mean thrashing. */
  majorFaults: number;
  /** Charges that hit the limit: v1 memory(.memsw).failcnt, v2 memory.events `max`. */
  limitHits: number;
  oomKills: number;
}

export interface ContainerCgroup {
  version: 1 | 2;
  read(): CgroupFigures;
}

/** `name value` lines (memory.stat, memory.events, memory.oom_control) → the value of `name`. */
const field = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

export function containerCgroup(pid: number): ContainerCgroup {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.find((line) => line.split(':')[1]?.split(',').includes('memory'));
  const v2 = lines.find((line) => line.startsWith('0::'));
  const dir = v1
    ? join('/sys/fs/cgroup/memory', v1.split(':')[2]!)
    : join('/sys/fs/cgroup', v2?.slice(3) ?? '');
  const file = (name: string) => readFileSync(join(dir, name), 'utf8');
  const optional = (name: string) => (existsSync(join(dir, name)) ? Number(file(name)) : 0);
  const readV1 = (): CgroupFigures => {
    const stat = file('memory.stat');
    const usageBytes = Number(file('memory.usage_in_bytes'));
    return {
      usageBytes,
      workingSetBytes: Math.max(0, usageBytes - field(stat, 'total_inactive_file')),
      anonBytes: field(stat, 'total_rss'),
      fileBytes: field(stat, 'total_cache'),
      mappedFileBytes: field(stat, 'total_mapped_file'),
      majorFaults: field(stat, 'total_pgmajfault'),
      // The engine limits memory+swap too; with that, kernel 6.18 counts neither (0 up to an OOM kill).
      limitHits: Math.max(Number(file('memory.failcnt')), optional('memory.memsw.failcnt')),
      oomKills: field(file('memory.oom_control'), 'oom_kill'),
    };
  };
  const readV2 = (): CgroupFigures => {
    const stat = file('memory.stat');
    const events = file('memory.events');
    const usageBytes = Number(file('memory.current'));
    return {
      usageBytes,
      workingSetBytes: Math.max(0, usageBytes - field(stat, 'inactive_file')),
      anonBytes: field(stat, 'anon'),
      fileBytes: field(stat, 'file'),
      mappedFileBytes: field(stat, 'file_mapped'),
      majorFaults: field(stat, 'pgmajfault'),
      limitHits: field(events, 'max'),
      oomKills: field(events, 'oom_kill'),
    };
  };
  let last = v1 ? readV1() : readV2();
  return {
    version: v1 ? 1 : 2,
    read() {
      try {
        last = v1 ? readV1() : readV2();
      } catch {
        // gone with the container: keep the last reading
      }
      return last;
    },
  };
}

export interface MemoryPeak {
  usageBytes: number;
  workingSetBytes: number;
  anonBytes: number;
  samples: number;
  /** The sampler runs in the load generator's event loop: under load, samples drift apart. */
  maxGapMs: number;
}

/** The peak usage, working set and anonymous memory, sampled every `intervalMs` until `stop`. */
export function samplePeak(cgroup: ContainerCgroup, intervalMs = 20): { stop(): MemoryPeak } {
  const peak: MemoryPeak = { usageBytes: 0, workingSetBytes: 0, anonBytes: 0, samples: 0, maxGapMs: 0 };
  let last = performance.now();
  const sample = () => {
    const now = performance.now();
    peak.maxGapMs = Math.max(peak.maxGapMs, now - last);
    last = now;
    const { usageBytes, workingSetBytes, anonBytes } = cgroup.read();
    peak.usageBytes = Math.max(peak.usageBytes, usageBytes);
    peak.workingSetBytes = Math.max(peak.workingSetBytes, workingSetBytes);
    peak.anonBytes = Math.max(peak.anonBytes, anonBytes);
    peak.samples += 1;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
