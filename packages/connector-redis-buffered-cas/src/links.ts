/**
 * The links to Redis: a link is the connection to one deployment, whatever its topology, as
 * RedisConnection (connection.ts) drives it. One server's (StandaloneLink, here: node-redis's bare
 * client itself) is at hand; a Sentinel set's (sentinel.ts) and a Cluster's (cluster.ts, with
 * node-redis's RedisCluster behind it) are loaded only for their URLs, so a standalone connector
 * neither loads nor builds any of them (a sidecar's start-up and memory are measured, in a 64 MiB
 * container). And what every link shares, so that each behaves alike when Redis is slow, down or
 * refusing us: the client settings and the backoff between attempts.
 */
import type { RedisFunctions, RedisModules, RedisScripts, RespVersions, TypeMapping } from '@redis/client';
import type { RedisTarget } from './config.js';
import { ClientOfflineError, type Redis, RedisClient } from './node-redis.js';
import type { Address, RedisEndpoint } from './redis-url.js';

/**
 * Emits like node-redis's RedisClient: 'error' for each failed attempt or lost connection (a link
 * keeps reconnecting until it is closed), 'connect' when an attempt reached a server (the
 * handshake follows), 'ready' once usable, 'end' once closed.
 */
export interface Link {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'connect' | 'ready' | 'end', listener: () => void): unknown;
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  /** Pending calls finish, then the connections close. */
  close(): Promise<unknown>;
  /** Pending calls fail at once. */
  destroy(): unknown;
  /**
   * Where a call about `key` goes: the server, the Sentinel set's master, or the master of the key's
   * hash slot (redirections followed). Every key of one call must share that slot.
   */
  forKey(key: string): Redis;
  /** The connection to the master serving `key` itself (a WAIT counts what this connection wrote). */
  connectionFor(key: string): Promise<Redis>;
  /** Every master, for what spans all keys (SCAN, PING); a Cluster's may need connecting first. */
  masters(): Redis[] | Promise<Redis[]>;
}

export interface LinkOptions {
  target: RedisTarget;
  /** Bound on each connection attempt (ms). */
  timeoutMs: number;
  /** Longest pause between two attempts (ms). */
  reconnectMaxDelayMs: number;
}

export type OpenLink = (options: LinkOptions) => Link;

/** What a call gets while a link has no server to send it to: an offline connection (503). */
export const OFFLINE: Redis = { sendCommand: () => Promise.reject(new ClientOfflineError()) };

/** `work`, or `late()` once `ms` have passed without it settling: one timer, cleared either way. */
export function within<T>(work: Promise<T>, ms: number, late: () => T | Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  return Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
}

/** Exponential backoff with jitter from 50 ms, capped; never gives up. */
export function reconnectDelay(retries: number, maxDelayMs: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), maxDelayMs) + Math.floor(Math.random() * 100);
}

/** The pause between two connection attempts, which closing the link cuts short. */
export class RetryPause {
  #pending: { timer: NodeJS.Timeout; resolve: () => void } | undefined;

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending = undefined;
        resolve();
      }, ms);
      this.#pending = { timer, resolve };
    });
  }

  /** Ends the current pause now, if there is one. */
  cut(): void {
    if (!this.#pending) return;
    clearTimeout(this.#pending.timer);
    this.#pending.resolve();
    this.#pending = undefined;
  }
}

/**
 * Settings of every node-redis client we make (connection.ts's header says why):
 * - `disableOfflineQueue`: a command sent while disconnected fails at once (503) instead of waiting
 *   in a queue for a server that may not come back;
 * - no command timeout of node-redis's own: deadlines are RedisConnection's;
 * - connection attempts bounded by the base timeout, retried forever with backoff;
 * - over TLS, the CA, certificate and key of REDIS_TLS_* (Node's CAs when none is given).
 */
export function clientSettings(options: LinkOptions, address?: Address) {
  const { tls, endpoint } = options.target;
  return {
    disableOfflineQueue: true,
    commandOptions: { timeout: 0 },
    socket: {
      ...address,
      ...(endpoint.tls ? { tls: true as const, ...tls } : {}),
      connectTimeout: options.timeoutMs,
      reconnectStrategy: (retries: number) => reconnectDelay(retries, options.reconnectMaxDelayMs),
    },
  };
}

/** How a link to `endpoint` is opened: at once for one server, once its module is loaded for the others. */
export function openerFor(endpoint: RedisEndpoint): OpenLink | Promise<OpenLink> {
  switch (endpoint.kind) {
    case 'standalone':
      return openStandalone;
    case 'sentinel':
      return import('./sentinel.js').then((module) => module.openSentinel);
    case 'cluster':
      return import('./cluster.js').then((module) => module.openCluster);
  }
}

class StandaloneLink
  extends RedisClient<RedisModules, RedisFunctions, RedisScripts, RespVersions, TypeMapping>
  implements Link
{
  forKey(): Redis {
    return this;
  }

  async connectionFor(): Promise<Redis> {
    return this;
  }

  masters(): Redis[] {
    return [this];
  }
}

/** One server (redis://, rediss://): the URL carries the host, port, credentials, database and TLS. */
function openStandalone(options: LinkOptions): Link {
  const { endpoint } = options.target;
  if (endpoint.kind !== 'standalone') throw new Error(`not a standalone endpoint: ${endpoint.kind}`);
  return new StandaloneLink({ url: endpoint.url, ...clientSettings(options) });
}
