/**
 * A Redis Cluster (redis-cluster://, rediss-cluster://), through node-redis's RedisCluster: the
 * URL's nodes are seeds, from which it learns which master serves which of the 16384 hash slots
 * (CLUSTER SLOTS), then sends each command to the master of its key's slot, following MOVED and
 * ASK redirections (slot migrations, failovers noticed by a node before us). Loaded only for such
 * URLs (links.ts).
 *
 * What this file adds:
 * - a first discovery that fails (no seed answers, credentials refused) is retried with backoff,
 *   as a single server's connection is: RedisCluster would give up;
 * - each discovery is bounded in time: a seed that accepts connections and never answers the
 *   handshake would hold it for ever;
 * - the link is 'up' while every master's connection is, 'down' from the first one lost to the
 *   last one back (or dropped from the topology: a failed master, once its replica took over);
 * - while a master's connection is down, its reconnection attempts make RedisCluster ask the other
 *   nodes for the slots again (every TOPOLOGY_REFRESH_MS at most): that is how a failover is
 *   noticed, since the dead master cannot answer MOVED.
 */
import { EventEmitter } from 'node:events';
import type { RedisArgument } from '@redis/client';
import clusterModule from '@redis/client/dist/lib/cluster/index.js';
import {
  clientSettings,
  type Link,
  type LinkOptions,
  OFFLINE,
  RetryPause,
  reconnectDelay,
  within,
} from './links.js';
import { commonJsDefault, type Redis, type RedisClient } from './node-redis.js';

const RedisCluster = commonJsDefault(clusterModule);
type Cluster = InstanceType<typeof RedisCluster>;

/** Soon after a master's connection is lost, then again at most this often while it stays lost. */
const TOPOLOGY_REFRESH_MS = 500;

const addressOf = (node: { host?: string; port?: number }) => `${node.host}:${node.port}`;

class ClusterLink extends EventEmitter implements Link {
  readonly #options: LinkOptions;
  /** The cluster client in use, once a discovery succeeded. */
  #cluster: Cluster | undefined;
  /** One being discovered, to destroy if we close meanwhile. */
  #discovering: Cluster | undefined;
  /** Masters whose connection is down now, by address. */
  readonly #down = new Set<string>();
  #closed = false;
  readonly #pause = new RetryPause();

  constructor(options: LinkOptions) {
    super();
    this.#options = options;
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  get isReady(): boolean {
    return this.#cluster?.isReady === true && this.#down.size === 0;
  }

  async connect(): Promise<void> {
    for (let failures = 0; !this.#closed; failures++) {
      const cluster = this.#create();
      this.#discovering = cluster;
      try {
        await this.#discover(cluster);
        this.#discovering = undefined;
        if (this.#closed) break;
        this.#cluster = cluster;
        this.emit('ready');
        return;
      } catch (error) {
        this.#discovering = undefined;
        cluster.destroy();
        if (this.#closed) break;
        this.emit('error', error as Error);
      }
      await this.#pause.wait(reconnectDelay(failures, this.#options.reconnectMaxDelayMs));
    }
  }

  forKey(key: string): Redis {
    const cluster = this.#cluster;
    if (cluster === undefined) return OFFLINE;
    // RedisCluster types its arguments as mutable; it only reads them.
    return {
      sendCommand: (args, options) => cluster.sendCommand(key, false, args as RedisArgument[], options),
    };
  }

  async connectionFor(key: string): Promise<Redis> {
    if (this.#cluster === undefined) return OFFLINE;
    return (await this.#cluster.getNodeClientForKey(key)) as RedisClient;
  }

  async masters(): Promise<Redis[]> {
    const cluster = this.#cluster;
    if (cluster === undefined) return [OFFLINE];
    return (await Promise.all(cluster.masters.map((node) => cluster.nodeClient(node)))) as RedisClient[];
  }

  async close(): Promise<void> {
    this.#stop();
    this.#discovering?.destroy();
    await this.#cluster?.close();
    this.emit('end');
  }

  destroy(): void {
    this.#stop();
    this.#discovering?.destroy();
    this.#cluster?.destroy();
    this.emit('end');
  }

  #stop(): void {
    this.#closed = true;
    this.#pause.cut();
  }

  #create(): Cluster {
    const { target } = this.#options;
    const { endpoint } = target;
    if (endpoint.kind !== 'cluster') throw new Error(`not a cluster endpoint: ${endpoint.kind}`);
    const cluster = new RedisCluster({
      rootNodes: endpoint.seeds.map((seed) => ({ socket: { ...seed } })),
      // Every connection, discovery's included: credentials, TLS, timeouts, no offline queue.
      defaults: { ...clientSettings(this.#options), ...endpoint.credentials },
      commandOptions: { timeout: 0 },
      topologyRefreshOnReconnectionAttemptStrategy: Math.min(
        TOPOLOGY_REFRESH_MS,
        this.#options.reconnectMaxDelayMs,
      ),
    });
    cluster.on('error', () => {}); // a failed discovery: its cause reaches #discover's caller
    cluster.on('node-error', (error: Error, node: { host?: string; port?: number }) => {
      if (cluster !== this.#cluster) return;
      this.#down.add(addressOf(node));
      this.emit('error', error);
    });
    const back = (node: { host?: string; port?: number }) => {
      if (cluster !== this.#cluster || this.#closed) return;
      if (this.#down.delete(addressOf(node)) && this.#down.size === 0) this.emit('ready');
    };
    cluster.on('node-ready', back);
    cluster.on('node-disconnect', back); // destroyed: no longer a master of the topology
    return cluster;
  }

  /**
   * The slots from the first seed that answers, and a connection to every master; bounded, as a
   * seed or master that accepts connections and never answers would hold it for ever. The cause
   * of a failure is the seeds' last error (refused, denied access, untrusted certificate), not
   * RedisCluster's "All the root nodes are unavailable".
   */
  #discover(cluster: Cluster): Promise<void> {
    const { endpoint } = this.#options.target;
    const seeds = endpoint.kind === 'cluster' ? endpoint.seeds.length : 1;
    const limitMs = (seeds + 1) * this.#options.timeoutMs;
    let cause: Error | undefined;
    const remember = (error: Error) => {
      cause = error;
    };
    cluster.on('error', remember);
    cluster.on('node-error', remember);
    const late = () => Promise.reject(new Error(`no Redis Cluster node answered within ${limitMs} ms`));
    return within(
      cluster.connect().then(() => {}),
      limitMs,
      late,
    )
      .catch((error: Error) => {
        throw cause ?? error;
      })
      .finally(() => {
        cluster.off('error', remember);
        cluster.off('node-error', remember);
      });
  }
}

export function openCluster(options: LinkOptions): Link {
  return new ClusterLink(options);
}
