/**
 * The memory of a cgroup over time: the idle figures once the process has settled, and the peak of
 * a phase, sampled every 20 ms (sync reads of two small cgroup files, ~50 µs). The sampler runs
 * in the load generator's event loop, so under heavy load samples can be further apart: the
 * largest gap is kept so a reader can tell.
 */
import type { CgroupMemory, MemoryCgroup } from './cgroup.js';

export const MiB = 1024 * 1024;

export interface MemoryPeak {
  workingSetBytes: number;
  anonBytes: number;
  samples: number;
  maxGapMs: number;
}

export interface MemorySampler {
  stop(): MemoryPeak;
}

export function sampleMemory(cgroup: MemoryCgroup, intervalMs = 20): MemorySampler {
  const peak: MemoryPeak = { workingSetBytes: 0, anonBytes: 0, samples: 0, maxGapMs: 0 };
  let last = performance.now();
  const sample = () => {
    const now = performance.now();
    peak.maxGapMs = Math.max(peak.maxGapMs, now - last);
    last = now;
    try {
      const { workingSetBytes, anonBytes } = cgroup.memory();
      peak.workingSetBytes = Math.max(peak.workingSetBytes, workingSetBytes);
      peak.anonBytes = Math.max(peak.anonBytes, anonBytes);
      peak.samples += 1;
    } catch {
      // the cgroup is being removed (SIGINT): keep the peak so far
    }
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

/** The memory after `settleMs` with nothing to do. */
export async function idleMemory(cgroup: MemoryCgroup, settleMs = 2000): Promise<CgroupMemory> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return cgroup.memory();
}
