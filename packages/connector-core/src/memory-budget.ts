/**
 * One budget for the body bytes all requests hold in memory at once, so that memory is a function
 * of configuration and not of load: a request takes its share before it holds bytes and gives it
 * back when done. Where a body can go to disk instead (the spool) it asks without waiting; where
 * it cannot (a chunk on its way to or from the backend) it waits its turn, first come first
 * served, for a bounded time, then fails with 503 so the client retries later.
 */
import { readFileSync } from 'node:fs';
import { UnavailableError } from './errors.js';

/** A share of the budget; `release` is idempotent, so every exit path may call it. */
export interface Reservation {
  readonly bytes: number;
  release(): void;
}

interface Waiter {
  bytes: number;
  grant: (reservation: Reservation) => void;
}

export class MemoryBudget {
  #available: number;
  readonly #waiters: Waiter[] = [];

  /**
   * @param totalBytes what all requests together may hold
   * @param waitMs how long a request waits for its share before it is answered 503
   */
  constructor(
    readonly totalBytes: number,
    readonly waitMs: number,
  ) {
    this.#available = totalBytes;
  }

  get availableBytes(): number {
    return this.#available;
  }

  /** Requests waiting for a share. */
  get waitingCount(): number {
    return this.#waiters.length;
  }

  /** A share now, or undefined when the budget cannot give it without waiting. */
  tryReserve(bytes: number): Reservation | undefined {
    if (this.#waiters.length > 0 || bytes > this.#available) return undefined;
    return this.#grant(bytes);
  }

  /**
   * A share when the budget has it, waiting behind earlier requests. A share larger than the
   * whole budget is capped at the budget (it then runs alone). UnavailableError after `waitMs`.
   */
  reserve(bytes: number): Promise<Reservation> {
    const wanted = Math.min(bytes, this.totalBytes);
    const now = this.tryReserve(wanted);
    if (now) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes: wanted,
        grant: (reservation) => {
          clearTimeout(timer);
          resolve(reservation);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        this.#wakeWaiters(); // a large waiter leaving may let smaller ones behind it go
        reject(new UnavailableError(`memory for request bodies is busy (waited ${this.waitMs} ms)`));
      }, this.waitMs);
      this.#waiters.push(waiter);
    });
  }

  #grant(bytes: number): Reservation {
    this.#available -= bytes;
    let held = true;
    return {
      bytes,
      release: () => {
        if (!held) return;
        held = false;
        this.#available += bytes;
        this.#wakeWaiters();
      },
    };
  }

  #wakeWaiters(): void {
    while (this.#waiters.length > 0 && this.#waiters[0]!.bytes <= this.#available) {
      const waiter = this.#waiters.shift()!;
      waiter.grant(this.#grant(waiter.bytes));
    }
  }
}

/** The budget when STATE_MEMORY_BUDGET_BYTES is unset: a sixteenth of the container's memory limit. */
export const BUDGET_SHARE_OF_LIMIT = 1 / 16;
/** ... or this, where no container limit can be read (no cgroup, or unlimited). */
export const DEFAULT_MEMORY_BUDGET_BYTES = 16 * 1024 * 1024;
/** Below this, one chunk of backend I/O would not fit. */
export const MIN_MEMORY_BUDGET_BYTES = 1024 * 1024;

/**
 * The files that hold this process's memory limit, from /proc/self/cgroup: in a container (its
 * own cgroup namespace) the path is `/`; on a host it is the cgroup the process was put in.
 */
function cgroupLimitFiles(): string[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const line of text.split('\n')) {
    const [, controllers, path] = line.split(':');
    if (path === undefined) continue;
    const dir = path === '/' ? '' : path;
    if (controllers === '')
      files.push(`/sys/fs/cgroup${dir}/memory.max`); // v2
    else if (controllers!.split(',').includes('memory'))
      files.push(`/sys/fs/cgroup/memory${dir}/memory.limit_in_bytes`); // v1
  }
  return files;
}

/** The memory limit of the container we run in, or undefined when there is none to read. */
export function containerMemoryLimit(files: readonly string[] = cgroupLimitFiles()): number | undefined {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      continue;
    }
    const limit = Number(text);
    // "max" (v2) or a huge page-rounded number (v1) mean no limit.
    if (Number.isSafeInteger(limit) && limit > 0 && limit < 2 ** 50) return limit;
  }
  return undefined;
}

export function defaultMemoryBudget(limit = containerMemoryLimit()): number {
  if (limit === undefined) return DEFAULT_MEMORY_BUDGET_BYTES;
  return Math.max(MIN_MEMORY_BUDGET_BYTES, Math.floor(limit * BUDGET_SHARE_OF_LIMIT));
}
