import { setTimeout as delay } from 'node:timers/promises';
import type { Daemon } from './daemon.js';

export interface WaitOptions {
  /** What we wait for, for the error message: "redis-server to answer PING on 127.0.0.1:1234". */
  what: string;
  timeoutMs: number;
  /** The daemon expected to become ready: its early exit fails fast, and its log tail goes into errors. */
  daemon?: Daemon;
  pollMs?: number;
}

/** Polls `probe` until it returns true; fails with a message that quotes the daemon's log. */
export async function waitUntil(probe: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 50;
  const { daemon } = options;
  let lastError = '';
  for (;;) {
    if (daemon?.hasExited()) {
      throw new Error(
        `${daemon.name} ended (${daemon.exitDescription()}) while waiting for ${options.what}.\n${daemon.logTail()}`,
      );
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      const cause = lastError ? ` Last probe error: ${lastError}` : '';
      const log = daemon ? `\n${daemon.logTail()}` : '';
      throw new Error(`Timed out after ${options.timeoutMs} ms waiting for ${options.what}.${cause}${log}`);
    }
    await delay(pollMs);
  }
}
