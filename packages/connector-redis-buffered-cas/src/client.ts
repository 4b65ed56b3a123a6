/**
 * The Redis connection policy: every call is bounded, outages fail fast, recovery is automatic.
 * - `disableOfflineQueue`: a command sent while disconnected fails at once (503) instead of
 *   waiting in a queue for a server that may not come back.
 * - our own deadline on every call: node-redis's command timeout only covers commands not yet
 *   written to the socket, so a hung server (stopped process, black-holed network) would hold a
 *   written command forever. When a deadline passes, the call fails (504) and the client is
 *   replaced by a fresh one, so one wedged connection does not keep failing every request.
 * - the reconnect strategy never gives up, so the connector serves again when Redis returns.
 * - an 'error' listener is always attached: node-redis emits 'error' on every failed attempt and
 *   an EventEmitter without a listener would crash the process.
 * - a handshake refused for our credentials (wrong or missing password, disabled user, no right
 *   to SELECT the database) is not an outage: node-redis retries it like one, but until someone
 *   fixes the credentials or the server's ACL every request is refused access (403), not 503.
 */

import { MiB } from '@state-proxy/connector-core';
import { DisconnectsClientError, ErrorReply, RedisClient as NodeRedisClient } from './node-redis.js';

export interface ConnectionOptions {
  url: string;
  /** Base deadline of every call, and the connect timeout (ms). */
  timeoutMs: number;
  /** Extra deadline per MiB a call carries (a 500 MiB value takes more than 2 s to move). */
  timeoutPerMibMs: number;
  reconnectMaxDelayMs: number;
  /**
   * Called when the connection goes down (once per outage, not per attempt), when the server
   * starts or stops refusing our credentials (`denied`), and when it comes back.
   */
  onConnectionChange?: (event: ConnectionChange) => void;
}

export interface ConnectionChange {
  connected: boolean;
  /** The server refuses our credentials, as opposed to being unreachable. */
  denied?: boolean;
  error?: Error;
}

/** Reply prefixes that mean Redis refuses us: wrong credentials or missing ACL permissions. */
const DENIED_REPLIES = ['NOAUTH', 'WRONGPASS', 'NOPERM'];

/** Whether `error` is Redis refusing us (to a command, or to the connection's handshake). */
export function isDeniedReply(error: unknown): boolean {
  return error instanceof ErrorReply && DENIED_REPLIES.includes(error.message.split(' ', 1)[0] ?? '');
}

function createRedisClient(options: ConnectionOptions) {
  // The bare client, without createClient()'s typed command wrappers (see commands.ts).
  return new NodeRedisClient({
    url: options.url,
    disableOfflineQueue: true,
    // Deadlines are ours (see above); node-redis's 5 s default would only add a second clock.
    commandOptions: { timeout: 0 },
    socket: {
      connectTimeout: options.timeoutMs,
      // Exponential backoff with jitter, capped: never `false`, which would close the client.
      reconnectStrategy: (retries) =>
        Math.min(50 * 2 ** Math.min(retries, 10), options.reconnectMaxDelayMs) +
        Math.floor(Math.random() * 100),
    },
  });
}

export type RedisClient = ReturnType<typeof createRedisClient>;

/** A call that Redis did not answer within its deadline. */
export class DeadlineExceededError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`Redis did not answer within ${deadlineMs} ms`);
  }
}

export class RedisConnection {
  readonly #options: ConnectionOptions;
  #client: RedisClient;
  /** Clients replaced after a missed deadline: their pending calls failed because of it. */
  readonly #replaced = new WeakSet<RedisClient>();
  #lastError: Error | undefined;
  /** 'denied': the last connection attempt got through to Redis, which refused our credentials. */
  #state: 'connecting' | 'up' | 'down' | 'denied' = 'connecting';
  #closed = false;
  /** Settles when the first connection attempt ends, either way. */
  readonly #firstAttempt: Promise<void>;
  #endFirstAttempt: () => void = () => {};

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#firstAttempt = new Promise((resolve) => {
      this.#endFirstAttempt = resolve;
    });
    this.#client = this.#open();
  }

  /**
   * Why the client is offline, if it is: node-redis itself only says "The client is offline".
   * A denied reply here (see isDeniedReply) is the server refusing our handshake.
   */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** How long a call carrying `bytes` may take: the base timeout plus an allowance per MiB. */
  deadlineFor(bytes: number): number {
    return this.#options.timeoutMs + Math.ceil((bytes * this.#options.timeoutPerMibMs) / MiB);
  }

  /** Runs one call carrying `bytes` (0 for small ones) within its deadline. */
  run<T>(bytes: number, call: (client: RedisClient) => Promise<T>): Promise<T> {
    // Connected (every request but those right after start-up): no await, no extra promise.
    if (this.#state !== 'connecting') return this.#withDeadline(this.#client, this.deadlineFor(bytes), call);
    return this.#current().then((client) => this.#withDeadline(client, this.deadlineFor(bytes), call));
  }

  /** Graceful close (pending calls finish) bounded by the base timeout; then the rest is destroyed. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    if (!client.isOpen) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.#options.timeoutMs);
    });
    const outcome = await Promise.race([client.close().then(() => 'closed' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') client.destroy();
  }

  /**
   * The client to use. Right after start-up the first connection is usually still being made:
   * requests wait for it (up to the base timeout) rather than fail. Later, while disconnected,
   * they fail at once: waiting is what the disabled offline queue is there to prevent.
   */
  async #current(): Promise<RedisClient> {
    if (this.#state === 'connecting') {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#options.timeoutMs);
      });
      await Promise.race([this.#firstAttempt, gaveUp]);
      clearTimeout(timer);
    }
    return this.#client;
  }

  #open(): RedisClient {
    const client = createRedisClient(this.#options);
    let handshake: NodeJS.Timeout | undefined;
    client.on('error', (error: Error) => {
      clearTimeout(handshake);
      if (client !== this.#client) return; // a replaced client winding down
      this.#endFirstAttempt();
      this.#lastError = error;
      // node-redis reports a reply to the handshake (HELLO with AUTH, SELECT) here too.
      const denied = isDeniedReply(error);
      const state = denied ? 'denied' : 'down';
      if (this.#state !== state) {
        this.#state = state;
        this.#options.onConnectionChange?.({ connected: false, denied, error });
      }
    });
    // A server that accepts the connection but never answers the handshake would leave the
    // client "connecting" forever (node-redis has no handshake timeout): give up on it and retry.
    client.on('connect', () => {
      clearTimeout(handshake);
      handshake = setTimeout(() => {
        if (!client.isReady) this.#replace(client, this.#options.timeoutMs);
      }, this.#options.timeoutMs);
      handshake.unref();
    });
    client.on('end', () => clearTimeout(handshake));
    client.on('ready', () => {
      clearTimeout(handshake);
      if (client !== this.#client) return;
      this.#endFirstAttempt();
      this.#lastError = undefined;
      if (this.#state !== 'up') {
        this.#state = 'up';
        this.#options.onConnectionChange?.({ connected: true });
      }
    });
    // Not awaited: with Redis down connect() keeps retrying, and the socket must serve (503s)
    // meanwhile. Its failures also arrive through the 'error' listener.
    client.connect().catch(() => {});
    return client;
  }

  /**
   * `call` on `client`, failed with DeadlineExceededError after `deadlineMs` (and the client
   * replaced). One promise and one timer per call, settled by whichever comes first.
   */
  #withDeadline<T>(
    client: RedisClient,
    deadlineMs: number,
    call: (client: RedisClient) => Promise<T>,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#replace(client, deadlineMs);
        reject(new DeadlineExceededError(deadlineMs));
      }, deadlineMs);
      call(client).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          // Another call's deadline replaced our client under us: the same hang hit this call.
          reject(
            error instanceof DisconnectsClientError && this.#replaced.has(client)
              ? new DeadlineExceededError(deadlineMs)
              : error,
          );
        },
      );
    });
  }

  /** Swaps a client that missed a deadline for a fresh connection, once. */
  #replace(client: RedisClient, deadlineMs: number): void {
    if (client !== this.#client || this.#closed) return;
    this.#endFirstAttempt();
    this.#replaced.add(client);
    const error = new DeadlineExceededError(deadlineMs);
    this.#lastError = error;
    this.#state = 'down';
    this.#options.onConnectionChange?.({ connected: false, error });
    this.#client = this.#open();
    client.destroy();
  }
}
