/**
 * node-redis (`@redis/client`) as the connector uses it: the bare RedisClient, not createClient()'s,
 * which attaches typed wrappers for all ~500 Redis commands to a new class, twice (MULTI too), at
 * ~14 MiB of memory and ~40 ms of start-up, and a parsing layer on every call; the connector sends
 * its dozen commands with `sendCommand` (the `Redis` below).
 *
 * Loaded by parts. Its index loads everything it has, RedisCluster
 * and RedisSentinel included (with the bundle's stand-in command table, that is the whole
 * `dist/lib` but the commands), whatever REDIS_URL says. A standalone connector loads only the
 * client, its errors and the RESP decoder from here; the cluster client is loaded by cluster.ts,
 * which is itself only imported (lazily) for a `redis-cluster://` URL. Deep paths are safe: the
 * version is pinned and the package has no `exports` map.
 *
 * The client module is CommonJS with `exports.default`: see commonJsDefault.
 */
import type { RedisArgument } from '@redis/client';
import clientModule from '@redis/client/dist/lib/client/index.js';
import { RESP_TYPES } from '@redis/client/dist/lib/RESP/decoder.js';

/**
 * The `exports.default` of a CommonJS module compiled from TypeScript, as an ES module's default
 * import gives it: `module.exports` in Node and in the bundle (so the class is its `.default`), the
 * class itself under vitest, which unwraps it.
 */
export function commonJsDefault<T>(imported: { default: T }): T {
  return imported.default ?? (imported as T);
}

export const RedisClient = commonJsDefault(clientModule);
export type RedisClient = InstanceType<typeof RedisClient>;
export {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  MaxCommandRedirectionsError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
  TimeoutError,
} from '@redis/client/dist/lib/errors.js';

/** What a call needs of a connection: a server, a Sentinel set's master, a Cluster's router. */
export interface Redis {
  sendCommand<T>(args: ReadonlyArray<RedisArgument>, options?: typeof BINARY): Promise<T>;
}

/** Binary replies: blob strings come back as Buffers, so no byte is ever decoded as text. */
export const BINARY = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };
