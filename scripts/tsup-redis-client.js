// An esbuild plugin for bundles that use node-redis's bare RedisClient with sendCommand only
// (the Redis connector, the bench's Redis floor). @redis/client's client and its index import
// its table of all ~500 command modules, for the typed methods createClient() attaches; our
// bundles never call them. In their place the table holds the three commands the client itself
// sends while connecting (AUTH, CLIENT SETNAME, READONLY): the bundle shrinks by 0.3 MB and the
// process starts with ~2 MiB less memory and without evaluating ~400 modules. HELLO, SELECT and
// the rest of the handshake do not go through the table. RedisCluster's discovery calls the typed
// `clusterSlots()` (CLUSTER SLOTS) on the clients it makes, so the table has it too, under both
// names the client's methods take (the Redis connector's cluster support).
import { dirname, join } from 'node:path';

const COMMAND_TABLE = /^(\.\.\/commands|\.\/lib\/commands)$/;
const IN_REDIS_CLIENT = /@redis[\\/]client[\\/]dist[\\/]/;

export const redisClientCommandsOnly = {
  name: 'redis-client-commands-only',
  setup(build) {
    build.onResolve({ filter: COMMAND_TABLE }, (args) =>
      IN_REDIS_CLIENT.test(args.importer)
        ? { path: join(dirname(args.importer), args.path), namespace: 'redis-client-commands' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'redis-client-commands' }, (args) => ({
      resolveDir: args.path, // the real commands directory: the three modules come from there
      loader: 'js',
      // Marked as compiled ES module like the real table, or the client's __importDefault would
      // wrap it and find none of its commands.
      contents: `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.default = {
  AUTH: require("./AUTH").default,
  CLIENT_SETNAME: require("./CLIENT_SETNAME").default,
  READONLY: require("./READONLY").default,
  CLUSTER_SLOTS: require("./CLUSTER_SLOTS").default,
  clusterSlots: require("./CLUSTER_SLOTS").default,
};`,
    }));
  },
};
