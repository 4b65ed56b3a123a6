/**
 * Keeps RSS near the working set while body bytes move. Each chunk read from a socket, and each
 * buffer a body is copied into, lives outside the V8 heap, and V8 frees dead ones only at its
 * next GC, which a JS heap that barely grows delays until tens of MiB have piled up: V8 only
 * starts collecting for external memory after 64 MiB of it, the whole limit of a Redis sidecar.
 * (Measured streaming 512 MiB through S3: +67 MiB of RSS; +28 MiB with a scavenge every 16 MiB.)
 * So every data path counts the bytes it moves, and every MINOR_EVERY bytes V8 is asked for a
 * young-generation GC (a scavenge: about a millisecond; short-lived chunks die there), every
 * `majorEvery` bytes for a full one (what outlived two scavenges: bodies held across backend
 * calls). That is the memory budget, within 4-16 MiB: dead bodies never pile up much beyond what
 * the budget lets live ones hold (measured, Redis, 1 MiB values at c64, 4 MiB budget: external
 * memory peaked at 21 MiB with a full GC every 16 MiB).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MINOR_EVERY = 1024 * 1024;
let majorEvery = 16 * 1024 * 1024;

/** Full GCs every `budgetBytes` moved (clamped to 4-16 MiB): called once with the memory budget. */
export function paceFullGcs(budgetBytes: number): void {
  majorEvery = Math.min(Math.max(budgetBytes, 4 * 1024 * 1024), 16 * 1024 * 1024);
}

type Gc = (options: { type: 'minor' | 'major'; execution?: 'sync' | 'async' }) => void;

function exposeGc(): Gc | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as Gc;
  } catch {
    return undefined; // correctness never depends on this
  }
}

let gc: Gc | undefined | null = null;
let sinceMinor = 0;
let sinceMajor = 0;

/** Counts body bytes that passed through a data path; collects dead buffers as they add up. */
export function countTransferred(bytes: number): void {
  sinceMinor += bytes;
  if (sinceMinor < MINOR_EVERY) return;
  sinceMinor = 0;
  sinceMajor += MINOR_EVERY;
  if (gc === null) gc = exposeGc();
  const type = sinceMajor < majorEvery ? 'minor' : 'major';
  if (type === 'major') sinceMajor = 0;
  gc?.({ type });
}
