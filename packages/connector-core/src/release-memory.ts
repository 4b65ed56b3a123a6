/**
 * Keeps RSS near the working set while body bytes move. Each chunk read from a socket, and each
 * buffer a body is copied into, lives outside the V8 heap, and V8 frees dead ones only at its
 * next GC, which a JS heap that barely grows delays until tens of MiB have piled up: V8 only
 * starts collecting for external memory after 64 MiB of it, the whole limit of a Redis sidecar.
 * So every data path counts the bytes it moves, and every MINOR_EVERY bytes V8 is asked for a
 * young-generation GC (a scavenge: about a millisecond; short-lived chunks die there), every
 * `majorEvery` bytes for a full one (what outlived two scavenges: bodies held across backend
 * calls). That is the memory budget, within 4-16 MiB: dead bodies never pile up much beyond what
 * the budget lets live ones hold.
 * Chunks under SMALL_CHUNK_BYTES are not counted: a small body dies in V8's own scavenges, which
 * the request's own objects trigger long before small bodies add up; counting them would force a
 * GC every few hundred requests of 1 KiB, for no memory saved.
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
