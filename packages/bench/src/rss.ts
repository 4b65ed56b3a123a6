/**
 * Resident memory of a process from /proc/<pid>/status (Linux): VmRSS now, VmHWM the kernel's
 * high-water mark since the process started. The sampler polls VmRSS as well, because VmHWM
 * cannot be reset: the sampled peak tells the peak of one phase, VmHWM the peak of the life.
 * RssAnon is VmRSS without file-backed pages (~45 MiB of it is the mapped `node` binary, shared
 * and reclaimable): the part that grows with what the connector does.
 */
import { readFileSync } from 'node:fs';

const MiB = 1024 * 1024;

function field(pid: number, name: 'VmRSS' | 'VmHWM' | 'RssAnon'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1];
  if (kib === undefined) throw new Error(`no ${name} in /proc/${pid}/status`);
  return Number(kib) * 1024;
}

export const rssMiB = (pid: number): number => field(pid, 'VmRSS') / MiB;
export const hwmMiB = (pid: number): number => field(pid, 'VmHWM') / MiB;
export const anonMiB = (pid: number): number => field(pid, 'RssAnon') / MiB;

export interface RssSampler {
  /** Stops sampling; the largest VmRSS and RssAnon seen (MiB). */
  stop(): { rssMiB: number; anonMiB: number };
}

/** Samples VmRSS every `intervalMs` (sync read: ~20 µs, cheaper than the timer itself). */
export function sampleRss(pid: number, intervalMs = 10): RssSampler {
  let peak = rssMiB(pid);
  let peakAnon = anonMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
      peakAnon = Math.max(peakAnon, anonMiB(pid));
    } catch {
      // the process exited: keep the peak seen so far
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return { rssMiB: peak, anonMiB: peakAnon };
    },
  };
}
