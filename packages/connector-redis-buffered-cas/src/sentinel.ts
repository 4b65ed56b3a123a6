/**
 * A Sentinel set (redis-sentinel://, rediss-sentinel://): the sentinels say where the master of
 * the URL's #name is, and the link connects there; loaded only for such URLs (links.ts).
 *
 * One loop, until the link is closed: ask the sentinels (in turn, the last one that answered
 * first) for the master's address; connect to it and check with ROLE that it is a master; serve;
 * when that connection is lost (the master died, or was demoted: Sentinel closes the clients of a
 * master it reconfigures as a replica), ask again, with backoff while no master can be reached.
 * So a failover is followed without a restart: requests answer 503 from the moment the master is
 * lost until the promoted replica is connected, and /readyz says why.
 *
 * Not node-redis's RedisSentinel: its commands wait while it reconfigures (up to 16 rounds of the
 * sentinels, a second apart), where the connector's policy is to fail at once (503) and let the
 * caller retry; and it holds a connection to a sentinel for its events, where a lost connection
 * already tells us everything we act on.
 */
import { EventEmitter } from 'node:events';
import {
  clientSettings,
  type Link,
  type LinkOptions,
  OFFLINE,
  RetryPause,
  reconnectDelay,
  within,
} from './links.js';
import { ErrorReply, type Redis, RedisClient } from './node-redis.js';
import type { Address, Credentials } from './redis-url.js';

const hostPort = ({ host, port }: Address) => `${host}:${port}`;

/** `error` with `where` added to its message, of the same kind (a denied reply stays one). */
function about(error: unknown, where: string): Error {
  const cause = error instanceof Error ? error : new Error(String(error));
  const message = `${cause.message} (${where})`;
  if (cause instanceof ErrorReply) return new ErrorReply(message);
  return Object.assign(new Error(message, { cause }), { code: (cause as NodeJS.ErrnoException).code });
}

class SentinelLink extends EventEmitter implements Link {
  readonly #options: LinkOptions;
  readonly #name: string;
  readonly #database: number;
  readonly #credentials: Credentials;
  readonly #sentinelCredentials: Credentials;
  /** In the order they are asked: the last one that answered first. */
  readonly #sentinels: Address[];
  /** The master's connection while it is up. */
  #master: RedisClient | undefined;
  /** A connection being made (to a sentinel or a master), to destroy if we close meanwhile. */
  #connecting: RedisClient | undefined;
  #closed = false;
  readonly #pause = new RetryPause();

  constructor(options: LinkOptions) {
    super();
    const { endpoint, sentinelCredentials } = options.target;
    if (endpoint.kind !== 'sentinel') throw new Error(`not a sentinel endpoint: ${endpoint.kind}`);
    this.#options = options;
    this.#name = endpoint.masterName;
    this.#database = endpoint.database;
    this.#credentials = endpoint.credentials;
    this.#sentinelCredentials = sentinelCredentials ?? endpoint.credentials;
    this.#sentinels = [...endpoint.sentinels];
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  get isReady(): boolean {
    return this.#master?.isReady === true;
  }

  /** Runs the loop; resolves when the link is closed. */
  async connect(): Promise<void> {
    for (let failures = 0; !this.#closed; ) {
      try {
        const master = await this.#connectMaster(await this.#locateMaster());
        if (this.#closed) {
          master.destroy();
          break;
        }
        failures = 0;
        this.#master = master;
        this.emit('ready');
        const lost = await this.#untilLost(master);
        this.#master = undefined;
        master.destroy();
        if (this.#closed) break;
        this.emit('error', lost);
      } catch (error) {
        if (this.#closed) break;
        this.emit('error', error as Error);
        await this.#pause.wait(reconnectDelay(failures++, this.#options.reconnectMaxDelayMs));
      }
    }
  }

  forKey(): Redis {
    return this.#master ?? OFFLINE;
  }

  async connectionFor(): Promise<Redis> {
    return this.#master ?? OFFLINE;
  }

  masters(): Redis[] {
    return [this.#master ?? OFFLINE];
  }

  async close(): Promise<void> {
    this.#stop();
    await this.#master?.close();
    this.emit('end');
  }

  destroy(): void {
    this.#stop();
    this.#master?.destroy();
    this.emit('end');
  }

  #stop(): void {
    this.#closed = true;
    this.#connecting?.destroy();
    this.#pause.cut();
  }

  /** The master's address from the first sentinel that knows it; it then goes first. */
  async #locateMaster(): Promise<Address> {
    let failure: Error | undefined;
    for (const [i, sentinel] of this.#sentinels.entries()) {
      try {
        const reply = await this.#ask(sentinel, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.#name]);
        if (Array.isArray(reply) && reply.length === 2) {
          this.#sentinels.splice(i, 1);
          this.#sentinels.unshift(sentinel);
          return { host: String(reply[0]), port: Number(reply[1]) };
        }
        failure ??= new Error(`sentinel ${hostPort(sentinel)} knows no master named '${this.#name}'`);
      } catch (error) {
        failure = about(error, `sentinel ${hostPort(sentinel)}`);
      }
      if (this.#closed) break;
    }
    throw failure ?? new Error('no sentinel to ask');
  }

  /** One command to a sentinel, on a connection of its own, bounded by the base timeout. */
  async #ask(sentinel: Address, command: string[]): Promise<unknown> {
    const client = this.#client(sentinel, this.#sentinelCredentials);
    try {
      await this.#bounded(client.connect());
      return await this.#bounded(client.sendCommand(command));
    } finally {
      client.destroy();
      this.#connecting = undefined;
    }
  }

  /** A connection to `address` (SELECTing the URL's database), once ROLE says it is a master. */
  async #connectMaster(address: Address): Promise<RedisClient> {
    const where = `master '${this.#name}' at ${hostPort(address)}, as the sentinels say`;
    const client = this.#client(address, this.#credentials, this.#database);
    try {
      await this.#bounded(client.connect());
      const role = await this.#bounded(client.sendCommand<unknown[]>(['ROLE']));
      if (role[0] !== 'master') throw new Error(`not a master but a ${String(role[0])}`);
      this.#connecting = undefined;
      return client;
    } catch (error) {
      client.destroy();
      this.#connecting = undefined;
      throw about(error, where);
    }
  }

  /** Resolves with the cause once `master`'s connection is lost (it does not reconnect by itself). */
  #untilLost(master: RedisClient): Promise<Error> {
    return new Promise((resolve) => {
      master.once('error', (error: Error) => resolve(about(error, `master '${this.#name}'`)));
      master.once('end', () => resolve(new Error(`the connection to master '${this.#name}' closed`)));
    });
  }

  #client(address: Address, credentials: Credentials, database?: number): RedisClient {
    const settings = clientSettings(this.#options, address);
    const client = new RedisClient({
      ...settings,
      ...credentials,
      ...(database ? { database } : {}),
      // One attempt: the loop above decides where the next one goes.
      socket: { ...settings.socket, reconnectStrategy: false },
    });
    client.on('error', () => {}); // each failure also reaches whoever awaits this client
    this.#connecting = client;
    return client;
  }

  /** `work`, failed after the base timeout: a server that accepts and never answers would hold it. */
  #bounded<T>(work: Promise<T>): Promise<T> {
    const ms = this.#options.timeoutMs;
    return within(work, ms, () => Promise.reject(new Error(`no answer within ${ms} ms`)));
  }
}

export function openSentinel(options: LinkOptions): Link {
  return new SentinelLink(options);
}
