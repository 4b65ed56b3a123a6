/**
 * The Redis connection policy, the same for one server, a Sentinel set and a Cluster: every call
 * is bounded, outages fail fast, recovery is automatic.
 * - no offline queue (links.ts, clientSettings): a command sent while disconnected fails at once
 *   (503) instead of waiting in a queue for a server that may not come back.
 * - our own deadline on every call: node-redis's command timeout only covers commands not yet
 *   written to the socket, so a hung server (stopped process, black-holed network) would hold a
 *   written command forever. When a deadline passes, the call fails (504) and the link is replaced
 *   by a fresh one (for a Sentinel set: a new question to the sentinels; for a Cluster: a new
 *   discovery and new connections to every master), so one wedged connection does not keep failing
 *   every request.
 * - links reconnect forever, so the connector serves again when Redis returns; a Sentinel link
 *   asks the sentinels where the master is each time (it follows a failover), a Cluster link asks
 *   the nodes which master serves which slots.
 * - an 'error' listener is always attached: node-redis emits 'error' on every failed attempt and
 *   an EventEmitter without a listener would crash the process.
 * - a handshake refused for our credentials (wrong or missing password, disabled user, no right
 *   to SELECT the database) is not an outage: node-redis retries it like one, but until someone
 *   fixes the credentials or the server's ACL every request is refused access (403), not 503.
 * - a TLS certificate refused, the server's by us (unknown CA, another host name) or ours by the
 *   server (mutual TLS), is no outage either: logged once as such; requests answer 503 saying
 *   which setting to check, until it is fixed.
 */
import { MiB } from '@state-proxy/connector-core';
import type { RedisTarget } from './config.js';
import { certificateProblem, DeadlineExceededError, isDeniedReply } from './errors.js';
import { type Link, type OpenLink, openerFor, within } from './links.js';
import { ClientOfflineError, DisconnectsClientError, type Redis } from './node-redis.js';

export interface ConnectionOptions {
  target: RedisTarget;
  /** Base deadline of every call, and the connect timeout (ms). */
  timeoutMs: number;
  /** Extra deadline per MiB a call carries (a 500 MiB value takes more than 2 s to move). */
  timeoutPerMibMs: number;
  reconnectMaxDelayMs: number;
  /**
   * Called when the connection goes down (once per outage, not per attempt), when the server
   * starts or stops refusing our credentials (`denied`), when a TLS certificate is refused
   * (`certificate`), and when it comes back.
   */
  onConnectionChange?: (event: ConnectionChange) => void;
}

export interface ConnectionChange {
  connected: boolean;
  /** The server refuses our credentials, as opposed to being unreachable. */
  denied?: boolean;
  /** A certificate was refused, by us or by the server (see certificateProblem). */
  certificate?: 'untrusted' | 'refused';
  error?: Error;
}

type State = 'connecting' | 'up' | 'down' | 'denied' | 'untrusted' | 'refused';

export class RedisConnection {
  readonly #options: ConnectionOptions;
  #openLink: OpenLink | undefined;
  /** Undefined only while a cluster's or a Sentinel set's module is being loaded at start-up. */
  #link: Link | undefined;
  /** Links replaced after a missed deadline: their pending calls failed because of it. */
  readonly #replaced = new WeakSet<Link>();
  #lastError: Error | undefined;
  /** 'denied', 'untrusted', 'refused': the last attempt failed over credentials or certificates. */
  #state: State = 'connecting';
  #closed = false;
  /** Settles when the first connection attempt ends, either way. */
  readonly #firstAttempt: Promise<void>;
  #endFirstAttempt: () => void = () => {};

  constructor(options: ConnectionOptions) {
    this.#options = options;
    this.#firstAttempt = new Promise((resolve) => {
      this.#endFirstAttempt = resolve;
    });
    const opener = openerFor(options.target.endpoint);
    if (typeof opener === 'function') {
      this.#openLink = opener;
      this.#link = this.#open();
    } else {
      // A Sentinel set's or a Cluster's code, loaded on first use (links.ts): calls wait for
      // the first attempt meanwhile, as they do for the first connection.
      opener.then((open) => {
        this.#openLink = open;
        if (!this.#closed) this.#link = this.#open();
      });
    }
  }

  /**
   * Why the link is offline, if it is: node-redis itself only says "The client is offline".
   * A denied reply here (see isDeniedReply) is the server refusing our handshake.
   */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** How long a call carrying `bytes` may take: the base timeout plus an allowance per MiB. */
  deadlineFor(bytes: number): number {
    return this.#options.timeoutMs + Math.ceil((bytes * this.#options.timeoutPerMibMs) / MiB);
  }

  /**
   * Runs one call about `key` carrying `bytes` (0 for small ones) within its deadline. Every key the
   * call names must share `key`'s hash slot (see Link.forKey).
   */
  run<T>(key: string, bytes: number, call: (redis: Redis) => Promise<T>): Promise<T> {
    // Connected (every request but those right after start-up): no await, no extra promise.
    const link = this.#link;
    if (this.#state !== 'connecting' && link !== undefined)
      return this.#withDeadline(link, this.deadlineFor(bytes), call, link.forKey(key));
    return this.#current().then((ready) =>
      this.#withDeadline(ready, this.deadlineFor(bytes), call, ready.forKey(key)),
    );
  }

  /**
   * Runs a call on the connection to `key`'s master itself, within the base deadline plus
   * `extraMs`: commands about that connection rather than a key (WAIT).
   */
  async runOnConnectionFor<T>(key: string, extraMs: number, call: (redis: Redis) => Promise<T>): Promise<T> {
    const link = await this.#current();
    return this.#withDeadline(
      link,
      this.#options.timeoutMs + extraMs,
      (forKey) => forKey.then(call),
      link.connectionFor(key),
    );
  }

  /** Every master (one but for a Cluster), each as a runner of calls on it (SCAN, PING). */
  async masters(): Promise<Array<<T>(call: (redis: Redis) => Promise<T>) => Promise<T>>> {
    const link =
      this.#state !== 'connecting' && this.#link !== undefined ? this.#link : await this.#current();
    const found = link.masters();
    // A Cluster's masters may need connecting: within the base deadline too.
    const masters = Array.isArray(found)
      ? found
      : await this.#withDeadline(link, this.#options.timeoutMs, (all) => all, found);
    return masters.map(
      (master) =>
        <T>(call: (redis: Redis) => Promise<T>) =>
          this.#withDeadline(link, this.#options.timeoutMs, call, master),
    );
  }

  /** Graceful close (pending calls finish) bounded by the base timeout; then the rest is destroyed. */
  async close(): Promise<void> {
    this.#closed = true;
    const link = this.#link;
    if (!link?.isOpen) return;
    const closed = await within(
      link.close().then(() => true),
      this.#options.timeoutMs,
      () => false,
    );
    if (!closed) link.destroy();
  }

  /**
   * The link to use. Right after start-up the first connection is usually still being made:
   * requests wait for it (up to the base timeout) rather than fail. Later, while disconnected,
   * they fail at once: waiting is what the disabled offline queue is there to prevent.
   */
  async #current(): Promise<Link> {
    if (this.#state === 'connecting') await within(this.#firstAttempt, this.#options.timeoutMs, () => {});
    if (this.#link === undefined) throw new ClientOfflineError();
    return this.#link;
  }

  #open(): Link {
    const link = this.#openLink!({
      target: this.#options.target,
      timeoutMs: this.#options.timeoutMs,
      reconnectMaxDelayMs: this.#options.reconnectMaxDelayMs,
    });
    let handshake: NodeJS.Timeout | undefined;
    link.on('error', (error: Error) => {
      clearTimeout(handshake);
      if (link !== this.#link) return; // a replaced link winding down
      this.#endFirstAttempt();
      this.#lastError = error;
      // node-redis reports a reply to the handshake (HELLO with AUTH, SELECT) here too.
      const denied = isDeniedReply(error);
      const certificate = denied ? undefined : certificateProblem(error);
      const state = denied ? 'denied' : (certificate ?? 'down');
      if (this.#state !== state) {
        this.#state = state;
        this.#options.onConnectionChange?.({
          connected: false,
          denied,
          ...(certificate ? { certificate } : {}),
          error,
        });
      }
    });
    // A server that accepts the connection but never answers the handshake would leave the
    // link "connecting" forever (node-redis has no handshake timeout): give up on it and retry.
    link.on('connect', () => {
      clearTimeout(handshake);
      handshake = setTimeout(() => {
        if (!link.isReady) this.#replace(link, this.#options.timeoutMs);
      }, this.#options.timeoutMs);
      handshake.unref();
    });
    link.on('end', () => clearTimeout(handshake));
    link.on('ready', () => {
      clearTimeout(handshake);
      if (link !== this.#link) return;
      this.#endFirstAttempt();
      this.#lastError = undefined;
      if (this.#state !== 'up') {
        this.#state = 'up';
        this.#options.onConnectionChange?.({ connected: true });
      }
    });
    // Not awaited: with Redis down the link keeps retrying, and the socket must serve (503s)
    // meanwhile. Its failures also arrive through the 'error' listener.
    link.connect().catch(() => {});
    return link;
  }

  /**
   * `call(on)`, failed with DeadlineExceededError after `deadlineMs` (and `link`, which `on` belongs
   * to, replaced). One promise and one timer per call, settled by whichever comes first.
   */
  #withDeadline<T, On>(link: Link, deadlineMs: number, call: (on: On) => Promise<T>, on: On): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#replace(link, deadlineMs);
        reject(new DeadlineExceededError(deadlineMs));
      }, deadlineMs);
      call(on).then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          // Another call's deadline replaced our link under us: the same hang hit this call.
          reject(
            error instanceof DisconnectsClientError && this.#replaced.has(link)
              ? new DeadlineExceededError(deadlineMs)
              : error,
          );
        },
      );
    });
  }

  /** Swaps a link that missed a deadline for a fresh one, once. */
  #replace(link: Link, deadlineMs: number): void {
    if (link !== this.#link || this.#closed) return;
    this.#endFirstAttempt();
    this.#replaced.add(link);
    const error = new DeadlineExceededError(deadlineMs);
    this.#lastError = error;
    this.#state = 'down';
    this.#options.onConnectionChange?.({ connected: false, error });
    this.#link = this.#open();
    link.destroy();
  }
}
