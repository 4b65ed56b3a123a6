/**
 * STATE_REDIS_WAIT_REPLICAS: a write answers 204 only once that many replicas have it. Redis
 * replicates asynchronously: a master that acknowledged a write and died before sending it on
 * takes the write with it, and the replica promoted in its place never had it. WAIT, sent on the
 * connection that wrote, blocks until `replicas` replicas have acknowledged everything that
 * connection wrote, or the timeout; a shortfall (or a WAIT that fails) answers 503 saying the
 * write may or may not be there: the master has applied it, but may yet lose it.
 *
 * "The connection that wrote": WAIT is queued as soon as the write's reply arrives, before the
 * client could reconnect (that waits for a timer), so a connection lost in between fails the WAIT
 * rather than sending it on a fresh connection, where it would confirm nothing.
 */

import type { RedisConnection } from './connection.js';
import type { Redis } from './node-redis.js';

/** Fewer replicas than asked confirmed a write in time (or WAIT itself failed). */
export class ReplicationShortfallError extends Error {
  constructor(replicas: number, timeoutMs: number, detail: string, options?: { cause?: unknown }) {
    super(
      `the write was not confirmed by ${replicas} replica(s) within ${timeoutMs} ms (${detail}; STATE_REDIS_WAIT_REPLICAS): it may or may not have been applied, read the key to know`,
      options,
    );
  }
}

export interface ReplicationOptions {
  replicas: number;
  timeoutMs: number;
}

/** Resolves once `replicas` replicas (at least one) have what this link last wrote for `key`. */
export async function confirmReplicated(
  connection: RedisConnection,
  key: string,
  { replicas, timeoutMs }: ReplicationOptions,
): Promise<void> {
  let confirmed: number;
  try {
    confirmed = await connection.runOnConnectionFor(key, 2 * timeoutMs, (redis) =>
      waitInTurn(redis, replicas, timeoutMs),
    );
  } catch (error) {
    throw new ReplicationShortfallError(replicas, timeoutMs, `WAIT failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (confirmed < replicas) throw new ReplicationShortfallError(replicas, timeoutMs, `${confirmed} did`);
}

/** Per connection: the end of the last WAIT sent on it, and until when its replicas are known short. */
interface Turns {
  last: Promise<unknown>;
  shortUntil: number;
  shortCount: number;
}
const turns = new WeakMap<Redis, Turns>();

/**
 * WAIT blocks the connection it is sent on, and every command queued behind it, until it returns:
 * at once when the replicas keep up, after the whole timeout when too few are there. So WAITs on
 * one connection go one at a time, and once one comes back short, the writes that complete within
 * the next timeout's length are answered short at once, without another WAIT: a master without
 * its replicas keeps serving reads (delayed by one timeout at most) instead of queueing WAITs one
 * timeout each. Each WAIT is sent after its own write's reply, so it always covers that write.
 */
async function waitInTurn(redis: Redis, replicas: number, timeoutMs: number): Promise<number> {
  let state = turns.get(redis);
  if (state === undefined) {
    state = { last: Promise.resolve(), shortUntil: 0, shortCount: 0 };
    turns.set(redis, state);
  }
  const previous = state.last;
  let done = () => {};
  state.last = new Promise<void>((resolve) => {
    done = resolve;
  });
  try {
    await previous;
    if (Date.now() < state.shortUntil) return state.shortCount;
    const confirmed = await redis.sendCommand<number>(['WAIT', String(replicas), String(timeoutMs)]);
    if (confirmed < replicas) {
      state.shortUntil = Date.now() + timeoutMs;
      state.shortCount = confirmed;
    }
    return confirmed;
  } finally {
    done();
  }
}
