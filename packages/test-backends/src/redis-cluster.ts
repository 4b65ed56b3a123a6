// A Redis Cluster of 3 masters and 3 replicas on 127.0.0.1, from the local redis-server, created with
// `redis-cli --cluster create`. A Node-side creation (ADDSLOTSRANGE, MEET, REPLICATE) was measured
// as no faster: a master in cluster mode reports cluster_state:ok no sooner than 2 s after it
// started (Redis's CLUSTER_WRITABLE_DELAY), whoever assigns the slots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { requireBinaries } from './binaries.js';
import { type ClusterNode, parseClusterNodes, slotOwner } from './cluster-nodes.js';
import { runCommand } from './command.js';
import { type Daemon, startDaemonsTogether, withDaemonLogs } from './daemon.js';
import { distinctFreePorts, LOOPBACK, retryIfPortTaken } from './ports.js';
import { infoField, redisCommand } from './redis-command.js';
import { spawnRedisServer } from './redis-server.js';
import { type RedisTls, type TlsMode, tlsClientOptions } from './redis-tls-settings.js';
import { makeTempDir } from './temp-dir.js';
import { makeTlsFiles, type TlsFiles } from './tls-certificates.js';
import { clusterUrl, parseTopologyUrl } from './topology-url.js';
import type { RedisAddress, RedisClusterBackend } from './types.js';
import { waitUntil } from './wait.js';

const MASTERS = 3;
const NODES = MASTERS * 2;
const SLOTS = 16384;
// Small, so that a killed master's replica takes over within ~1-3 s. Not smaller: a node starved of
// CPU that long on a busy machine is taken for dead and replaced.
const NODE_TIMEOUT_MS = 1000;
const READY_TIMEOUT_MS = 30_000;

export interface RedisClusterOptions {
  /** Serve TLS only: clients, replication and the cluster bus (`tls-cluster yes`). */
  tls?: TlsMode;
}

/** A cluster this process started and owns: it may kill its nodes. */
export interface LocalRedisCluster extends RedisClusterBackend {
  /** The certificates, when started with `tls`. */
  tls?: TlsFiles;
  /** The nodes as a live node sees them now: roles change when a replica takes over. */
  nodes(): Promise<ClusterNode[]>;
  /** The master that serves the key's slot now. */
  masterForKey(key: string): Promise<ClusterNode>;
  /**
   * SIGKILLs the master that serves `key`'s slot (without a key: any master serving slots) and
   * resolves, once it is dead, with that node as it was. Its replica takes over after the node timeout.
   */
  killMaster(key?: string): Promise<ClusterNode>;
}

const hostPort = ({ host, port }: RedisAddress) => `${host}:${port}`;

function spawnNode(dir: string, port: number, busPort: number, tls?: RedisTls): Promise<Daemon> {
  const nodeDir = join(dir, `node-${port}`);
  mkdirSync(nodeDir);
  return spawnRedisServer({
    port,
    dir: nodeDir,
    persist: false,
    tls,
    extraArgs: [
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      join(nodeDir, 'nodes.conf'),
      '--cluster-port',
      String(busPort),
      '--cluster-node-timeout',
      String(NODE_TIMEOUT_MS),
      // A replica takes over however long it was cut off from its master: tests kill masters at will.
      '--cluster-replica-validity-factor',
      '0',
      // Replicas attach at once instead of after the default 5 s wait for more replicas.
      '--repl-diskless-sync-delay',
      '0',
      ...(tls ? ['--tls-cluster', 'yes'] : []),
    ],
  });
}

/** Every node serves with all slots covered and knows all nodes; every replica's link to its master is up. */
async function clusterReady(nodes: RedisAddress[], tls?: ConnectionOptions): Promise<boolean> {
  const nodeOk = async (node: RedisAddress) => {
    const info = await redisCommand(node, ['CLUSTER', 'INFO'], tls);
    return (
      infoField(info, 'cluster_state') === 'ok' &&
      infoField(info, 'cluster_slots_ok') === String(SLOTS) &&
      infoField(info, 'cluster_known_nodes') === String(NODES)
    );
  };
  const replicaAttached = async (replica: RedisAddress) =>
    infoField(await redisCommand(replica, ['INFO', 'replication'], tls), 'master_link_status') === 'up';
  if (!(await Promise.all(nodes.map(nodeOk))).every(Boolean)) return false;
  const replicas = parseClusterNodes(await redisCommand(nodes[0]!, ['CLUSTER', 'NODES'], tls)).filter(
    (node) => node.role === 'replica',
  );
  return (
    replicas.length === NODES - MASTERS && (await Promise.all(replicas.map(replicaAttached))).every(Boolean)
  );
}

/**
 * A Redis Cluster of 3 masters with one replica each, on free 127.0.0.1 ports, config and data in a
 * temp dir. Always local (never TEST_REDIS_CLUSTER_URL): the caller may kill its nodes. Resolves when
 * every node reports cluster_state:ok with all 16384 slots covered and every replica is attached.
 */
export async function startLocalRedisCluster(options: RedisClusterOptions = {}): Promise<LocalRedisCluster> {
  const [, redisCli] = requireBinaries(['redis-server', 'redis-cli'], ['redis-server', 'redis-tools']);
  const dir = makeTempDir('test-redis-cluster-');
  const daemons = new Map<number, Daemon>(); // by client port
  const stop = async () => {
    // SIGKILL: the data is thrown away, so there is nothing to save.
    await Promise.all([...daemons.values()].map((daemon) => daemon.stop('SIGKILL')));
    dir.remove();
  };
  try {
    let tls: RedisTls | undefined;
    if (options.tls) tls = { files: await makeTlsFiles(join(dir.path, 'tls')), mode: options.tls };
    const clientTls = tls && tlsClientOptions(tls.files);
    const ports = await retryIfPortTaken(async () => {
      const all = await distinctFreePorts(NODES * 2);
      const clientPorts = all.slice(0, NODES);
      const busPorts = all.slice(NODES);
      const started = await startDaemonsTogether(
        clientPorts.map((port, i) => () => spawnNode(dir.path, port, busPorts[i]!, tls)),
      );
      for (const [i, port] of clientPorts.entries()) daemons.set(port, started[i]!);
      return clientPorts;
    });
    const seeds = ports.map((port) => ({ host: LOOPBACK, port }));
    const cliTls = tls
      ? ['--tls', '--cacert', tls.files.caCert, '--cert', tls.files.clientCert, '--key', tls.files.clientKey]
      : [];
    await runCommand(redisCli!, [
      ...cliTls,
      '--cluster',
      'create',
      ...seeds.map(hostPort),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    try {
      await waitUntil(() => clusterReady(seeds, clientTls), {
        what: `the cluster on ports ${ports.join(', ')} to be ready (cluster_state:ok, ${SLOTS} slots, replicas attached)`,
        timeoutMs: READY_TIMEOUT_MS,
      });
    } catch (error) {
      throw withDaemonLogs(error, daemons.values());
    }

    const liveNode = (): RedisAddress => {
      const port = [...daemons].find(([, daemon]) => !daemon.hasExited())?.[0];
      if (port === undefined) throw new Error('every node of the cluster is dead');
      return { host: LOOPBACK, port };
    };
    const nodes = async () =>
      parseClusterNodes(await redisCommand(liveNode(), ['CLUSTER', 'NODES'], clientTls));
    const masterForKey = async (key: string) => {
      const slot = Number(await redisCommand(liveNode(), ['CLUSTER', 'KEYSLOT', key], clientTls));
      const owner = slotOwner(await nodes(), slot);
      if (!owner) throw new Error(`no master serves slot ${slot} (key "${key}") right now`);
      return owner;
    };
    return {
      url: clusterUrl(seeds, Boolean(tls)),
      seeds,
      ...(tls ? { tls: tls.files } : {}),
      nodes,
      masterForKey,
      async killMaster(key?: string) {
        const master = key
          ? await masterForKey(key)
          : (await nodes()).find((node) => node.role === 'master' && !node.failing && node.slots.length > 0);
        const daemon = master && daemons.get(master.port);
        if (!master || !daemon || daemon.hasExited())
          throw new Error('found no live master of this cluster to kill');
        await daemon.stop('SIGKILL');
        return master;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** TEST_REDIS_CLUSTER_URL (`redis-cluster://h:p,...`) when set, else a local cluster. */
export async function redisClusterBackend(): Promise<RedisClusterBackend> {
  const fromEnv = process.env.TEST_REDIS_CLUSTER_URL;
  if (!fromEnv) return startLocalRedisCluster();
  try {
    return { url: fromEnv, seeds: parseTopologyUrl(fromEnv, 'cluster').addresses, stop: async () => {} };
  } catch (error) {
    throw new Error(`TEST_REDIS_CLUSTER_URL: ${(error as Error).message}`);
  }
}
