/**
 * What the requests of one container phase got back, counted by method and HTTP status (or by
 * transport error: ECONNRESET, timeout...). Each request states the statuses it expects; 503 is
 * the connector shedding load as designed (counted, not a failure, and the caller backs off);
 * anything else is a failure, and throws so the load loop counts it and stops a broken phase early.
 */
import { type Reply, TransportError } from './socket-http.js';

export interface OutcomeCounts {
  /** 'GET 200', 'PUT 503', 'PUT ECONNRESET'... → count. */
  counts: Record<string, number>;
  /** The same, for the replies that were not as expected only (503s and failures). */
  problems: Record<string, number>;
  ok: number;
  unavailable: number;
  failures: number;
  firstFailure?: string;
  /** The body of the first 503, which says what was busy. */
  firstUnavailable?: string;
}

const BACKOFF_MS = 20;

/** Thrown for a failure already counted here, so the phase's caller does not count it again. */
export class CountedFailure extends Error {}

export class Outcomes {
  readonly result: OutcomeCounts = { counts: {}, problems: {}, ok: 0, unavailable: 0, failures: 0 };

  #count(label: string, problem = true): void {
    this.result.counts[label] = (this.result.counts[label] ?? 0) + 1;
    if (problem) this.result.problems[label] = (this.result.problems[label] ?? 0) + 1;
  }

  #fail(message: string): never {
    this.failed(message);
    throw new CountedFailure(message);
  }

  /** A failure not tied to one reply (the phase itself threw). */
  failed(message: string): void {
    this.result.failures += 1;
    this.result.firstFailure ??= message;
  }

  /**
   * Awaits one request. Resolves true for an expected status whose reply passes `check` (which
   * returns a complaint or undefined), false for a 503 (after a short back-off); throws otherwise.
   */
  async expect(
    method: string,
    reply: Promise<Reply>,
    expected: readonly number[],
    check: (reply: Reply) => string | undefined = () => undefined,
  ): Promise<boolean> {
    let r: Reply;
    try {
      r = await reply;
    } catch (error) {
      const code = error instanceof TransportError ? error.code : 'error';
      this.#count(`${method} ${code}`);
      return this.#fail(`${method}: ${(error as Error).message}`);
    }
    if (expected.includes(r.status)) {
      const complaint = check(r);
      if (complaint !== undefined) {
        this.#count(`${method} ${r.status} bad body`);
        return this.#fail(`${method}: ${complaint}`);
      }
      this.#count(`${method} ${r.status}`, false);
      this.result.ok += 1;
      return true;
    }
    this.#count(`${method} ${r.status}`);
    if (r.status === 503) {
      this.result.unavailable += 1;
      this.result.firstUnavailable ??= `${method}: ${r.head}`;
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS));
      return false;
    }
    const body = r.head ? `: ${r.head}` : '';
    return this.#fail(`${method}: status ${r.status}, expected ${expected.join('/')}${body}`);
  }
}
