/**
 * node-redis (`@redis/client`), loaded by parts. Its index loads everything it has, RedisCluster
 * and RedisSentinel included (with the bundle's stand-in command table, that is the whole
 * `dist/lib` but the commands), whatever REDIS_URL says. A standalone connector loads only the
 * client, its errors and the RESP decoder from here; the cluster client is loaded by cluster.ts,
 * which is itself only imported (lazily) for a `redis-cluster://` URL. Deep paths are safe: the
 * version is pinned and the package has no `exports` map.
 *
 * The client module is CommonJS with `exports.default`: see commonJsDefault.
 */
import clientModule from '@redis/client/dist/lib/client/index.js';

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
export { RESP_TYPES } from '@redis/client/dist/lib/RESP/decoder.js';
