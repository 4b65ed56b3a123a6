/**
 * A memory cgroup standing in for a container's: a limit, what is charged to it, how often it hit
 * the limit and how many OOM kills it had. cgroup v1 (/sys/fs/cgroup/memory) when mounted, else
 * v2 (/sys/fs/cgroup with the memory controller). Needs root.
 *
 * v1: the cgroup is made under the one this process is in (on a plain host that is the root,
 * /sys/fs/cgroup/memory/<name>), so what runs in it stays inside whatever already contains us.
 * v2: under the root, because a v2 cgroup that holds processes (ours) cannot delegate the memory
 * controller to a child ("no internal processes").
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V1_ROOT = '/sys/fs/cgroup/memory';
const V2_ROOT = '/sys/fs/cgroup';

export interface MemoryCgroup {
  version: 1 | 2;
  dir: string;
  limitBytes: number;
  /** Writing a pid there moves that process in. */
  procsFile: string;
  /** One reading of what is charged now. */
  memory(): CgroupMemory;
  /** Times a charge hit the limit (then reclaimed or OOM): v1 memory(.memsw).failcnt, v2 memory.events `max`. */
  limitHits(): number;
  oomKills(): number;
  pids(): number[];
  /** Kills what is left in it and removes it; safe to call twice. */
  remove(): Promise<void>;
}

export interface CgroupMemory {
  /** What the kubelet calls the working set: usage minus inactive file pages (reclaimable first). */
  workingSetBytes: number;
  /** Anonymous memory (heaps, buffers): what cannot be dropped, only swapped (and there is no swap). */
  anonBytes: number;
  /** Page faults that had to read from disk, since the cgroup was made: a thrashing process shows here. */
  majorFaults: number;
}

const read = (file: string) => readFileSync(file, 'utf8');

const hasSwap = () => Number(/^SwapTotal:\s+(\d+)/m.exec(read('/proc/meminfo'))?.[1] ?? 0) > 0;

/** `name value` lines (memory.stat, memory.events, memory.oom_control) → the value of `name`. */
function statField(text: string, name: string): number {
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

/** The v1 memory cgroup this process is in, from /proc/self/cgroup ('' for the root). */
function ownV1Path(): string {
  const line = read('/proc/self/cgroup')
    .split('\n')
    .find((l) => l.split(':')[1]?.split(',').includes('memory'));
  const path = line?.split(':')[2] ?? '/';
  return path === '/' ? '' : path;
}

export function cgroupVersion(): 1 | 2 | undefined {
  if (existsSync(join(V1_ROOT, 'memory.limit_in_bytes'))) return 1;
  const controllers = join(V2_ROOT, 'cgroup.controllers');
  if (existsSync(controllers) && read(controllers).split(/\s+/).includes('memory')) return 2;
  return undefined;
}

export function createMemoryCgroup(name: string, limitBytes: number): MemoryCgroup {
  const version = cgroupVersion();
  if (version === undefined) throw new Error('no memory cgroup: neither v1 /sys/fs/cgroup/memory nor v2');
  if (version === 2) enableV2MemoryController();
  const dir = version === 1 ? join(V1_ROOT + ownV1Path(), name) : join(V2_ROOT, name);
  if (existsSync(dir)) throw new Error(`${dir} exists (left by an earlier run?)`);
  mkdirSync(dir); // EACCES when not root
  try {
    return setUp(version, dir, limitBytes);
  } catch (error) {
    rmdirSync(dir);
    throw error;
  }
}

function enableV2MemoryController(): void {
  const control = join(V2_ROOT, 'cgroup.subtree_control');
  if (!read(control).split(/\s+/).includes('memory')) writeFileSync(control, '+memory');
}

function setUp(version: 1 | 2, dir: string, limitBytes: number): MemoryCgroup {
  const file = (name: string) => join(dir, name);
  if (version === 1) {
    writeFileSync(file('memory.limit_in_bytes'), String(limitBytes));
    // memory+swap no higher than memory alone: a container does not swap. Only where there is swap
    // to keep it from: without any the limit changes nothing, and with it set (seen on 6.18)
    // neither memory.failcnt nor memory.memsw.failcnt counts any more, not even before an OOM kill.
    if (existsSync(file('memory.memsw.limit_in_bytes')) && hasSwap())
      writeFileSync(file('memory.memsw.limit_in_bytes'), String(limitBytes));
  } else {
    writeFileSync(file('memory.max'), String(limitBytes));
    if (existsSync(file('memory.swap.max'))) writeFileSync(file('memory.swap.max'), '0');
  }
  let removed = false;
  const pids = () =>
    existsSync(dir)
      ? read(file('cgroup.procs'))
          .split('\n')
          .filter((l) => l !== '')
          .map(Number)
      : [];
  return {
    version,
    dir,
    limitBytes,
    procsFile: file('cgroup.procs'),
    memory() {
      const stat = read(file('memory.stat'));
      if (version === 1) {
        const usage = Number(read(file('memory.usage_in_bytes')));
        return {
          workingSetBytes: Math.max(0, usage - statField(stat, 'total_inactive_file')),
          anonBytes: statField(stat, 'total_rss'),
          majorFaults: statField(stat, 'total_pgmajfault'),
        };
      }
      const usage = Number(read(file('memory.current')));
      return {
        workingSetBytes: Math.max(0, usage - statField(stat, 'inactive_file')),
        anonBytes: statField(stat, 'anon'),
        majorFaults: statField(stat, 'pgmajfault'),
      };
    },
    limitHits: () =>
      version === 1
        ? Number(read(file('memory.failcnt'))) +
          (existsSync(file('memory.memsw.failcnt')) ? Number(read(file('memory.memsw.failcnt'))) : 0)
        : statField(read(file('memory.events')), 'max'),
    oomKills: () => statField(read(file(version === 1 ? 'memory.oom_control' : 'memory.events')), 'oom_kill'),
    pids,
    async remove() {
      // A cgroup with processes cannot be removed: kill them (ours, already asked to stop), wait.
      // Two removes may race (SIGINT during a normal one): whichever rmdir loses sees ENOENT.
      for (let attempt = 0; attempt < 100; attempt++) {
        if (removed || !existsSync(dir)) return;
        const left = pids();
        if (left.length === 0) {
          try {
            rmdirSync(dir);
            removed = true;
            return;
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'ENOENT') return;
            if (code !== 'EBUSY') throw error; // EBUSY: zombies still exiting
          }
        }
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`could not remove ${dir}: processes ${pids().join(', ')} remain`);
    },
  };
}
