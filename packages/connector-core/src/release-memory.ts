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
 * Chunks under SMALL_CHUNK_BYTES are not counted: a small body dies in V8's own scavenges, which
 * the request's own objects trigger long before small bodies add up, and counting them forced a
 * GC every few hundred requests of 1 KiB (Redis, 4 MiB budget, keep-alive c16: GET 6 000-7 500
 * -> 7 800-10 100 requests/s without; peak anonymous memory under 1 KiB x 256, 8 KiB x 16 and
 * 1 MiB x 64: 45.1 MiB with, 42.1 without).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MINOR_EVERY = 1024 * 1024;
const SMALL_CHUNK_BYTES = 16 * 1024;
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
  if (bytes < SMALL_CHUNK_BYTES) return;
  sinceMinor += bytes;
  if (sinceMinor < MINOR_EVERY) return;
  sinceMinor = 0;
  sinceMajor += MINOR_EVERY;
  if (gc === null) gc = exposeGc();
  const type = sinceMajor < majorEvery ? 'minor' : 'major';
  if (type === 'major') sinceMajor = 0;
  gc?.({ type });
}
