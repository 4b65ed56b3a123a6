// A Redis Sentinel set on 127.0.0.1: one master, two replicas, three sentinels (quorum 2), from the
// local redis-server (`redis-server <conf> --sentinel` is Sentinel itself: Debian's redis-sentinel
// package only adds a service and a config file around the same binary).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { type Daemon, startDaemonsTogether, withDaemonLogs } from './daemon.js';
import { distinctFreePorts, LOOPBACK, retryIfPortTaken } from './ports.js';
import { infoField, redisCommand, redisCommands } from './redis-command.js';
import { listenArgs, spawnRedisProcess, spawnRedisServer } from './redis-server.js';
import { type RedisTls, type TlsMode, tlsClientOptions } from './redis-tls-settings.js';
import { makeTempDir } from './temp-dir.js';
import { makeTlsFiles, type TlsFiles } from './tls-certificates.js';
import { parseTopologyUrl, sentinelUrl } from './topology-url.js';
import type { RedisAddress, RedisSentinelBackend } from './types.js';
import { waitUntil } from './wait.js';

const MASTER_NAME = 'mymaster';
const REPLICAS = 2;
const SENTINELS = 3;
const QUORUM = 2;
// Fast failover for tests: a master silent for 1 s is down; a failover that stalls is retried after
// twice the failover timeout.
const DOWN_AFTER_MS = 1000;
const FAILOVER_TIMEOUT_MS = 3000;
const READY_TIMEOUT_MS = 30_000;

export interface RedisSentinelOptions {
  /** Serve TLS only: clients, replication, and sentinels among themselves and to the servers. */
  tls?: TlsMode;
}

/** A sentinel set this process started and owns: it may kill its master. */
export interface LocalRedisSentinel extends RedisSentinelBackend {
  /** The certificates, when started with `tls`. */
  tls?: TlsFiles;
  /** The master's address as a sentinel reports it now (it changes when a replica is promoted). */
  masterAddress(): Promise<RedisAddress>;
  /** SIGKILLs the current master and resolves, once it is dead, with its address. */
  killMaster(): Promise<RedisAddress>;
}

/** A Redis reply of alternating names and values (SENTINEL MASTER, one entry of SENTINEL REPLICAS). */
function fields(reply: unknown): Map<string, string> {
  const list = Array.isArray(reply) ? reply.map(String) : [];
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < list.length; i += 2) map.set(list[i]!, list[i + 1]!);
  return map;
}

const hasOnlyFlag = (entry: Map<string, string>, flag: string) => entry.get('flags') === flag;

/**
 * This sentinel monitors the master, sees both replicas attached and healthy, and is linked to the
 * other sentinels (none flagged down or disconnected).
 */
async function sentinelReady(sentinel: RedisAddress, master: RedisAddress, tls?: ConnectionOptions) {
  const [masterReply, replicaReplies, otherReplies] = await redisCommands(
    sentinel,
    ['MASTER', 'REPLICAS', 'SENTINELS'].map((what) => ['SENTINEL', what, MASTER_NAME]),
    tls,
  );
  const state = fields(masterReply);
  const replicas = (replicaReplies as unknown[]).map(fields);
  const others = (otherReplies as unknown[]).map(fields);
  return (
    hasOnlyFlag(state, 'master') &&
    state.get('port') === String(master.port) &&
    replicas.length === REPLICAS &&
    replicas.every(
      (replica) => hasOnlyFlag(replica, 'slave') && replica.get('master-link-status') === 'ok',
    ) &&
    others.length === SENTINELS - 1 &&
    others.every((other) => hasOnlyFlag(other, 'sentinel'))
  );
}

/** The master sees both replicas online (their replication link is up). */
async function replicasAttached(master: RedisAddress, tls?: ConnectionOptions): Promise<boolean> {
  const info = await redisCommand(master, ['INFO', 'replication'], tls);
  if (infoField(info, 'connected_slaves') !== String(REPLICAS)) return false;
  return Array.from({ length: REPLICAS }, (_, i) => infoField(info, `slave${i}`)).every((line) =>
    line?.includes('state=online'),
  );
}

/** Who is where: every sentinel's config names all of it. */
interface Layout {
  master: RedisAddress;
  replicas: RedisAddress[];
  sentinels: Array<RedisAddress & { id: string }>;
}

/**
 * A sentinel whose config already names the replicas and the other sentinels (with the ids we gave
 * them), as a sentinel's own rewritten config does after a restart. Left to find them itself, it
 * learns of the other sentinels only from their hello messages, sent every 2 s: seconds of start-up.
 */
function spawnSentinel(dir: string, layout: Layout, index: number, tls?: RedisTls): Promise<Daemon> {
  const me = layout.sentinels[index]!;
  const sentinelDir = join(dir, `sentinel-${me.port}`);
  mkdirSync(sentinelDir);
  const known = (kind: string, { host, port }: RedisAddress, id = '') =>
    `sentinel known-${kind} ${MASTER_NAME} ${host} ${port} ${id}`.trimEnd();
  // A sentinel needs a config file it can rewrite; the rest goes on the command line, like a server's.
  const conf = join(sentinelDir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `sentinel myid ${me.id}`,
      `sentinel monitor ${MASTER_NAME} ${layout.master.host} ${layout.master.port} ${QUORUM}`,
      `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}`,
      `sentinel failover-timeout ${MASTER_NAME} ${FAILOVER_TIMEOUT_MS}`,
      `sentinel parallel-syncs ${MASTER_NAME} 1`,
      ...layout.replicas.map((replica) => known('replica', replica)),
      ...layout.sentinels.filter((other) => other !== me).map((other) => known('sentinel', other, other.id)),
      '',
    ].join('\n'),
  );
  return spawnRedisProcess({
    name: `redis-sentinel ${LOOPBACK}:${me.port}`,
    args: [
      conf,
      '--sentinel',
      ...listenArgs(me.port, tls),
      '--dir',
      sentinelDir,
      '--logfile',
      '',
      '--daemonize',
      'no',
    ],
    port: me.port,
    logFile: join(sentinelDir, 'sentinel.log'),
    tls,
  });
}

function spawnServer(dir: string, port: number, tls?: RedisTls, replicaOf?: RedisAddress): Promise<Daemon> {
  const serverDir = join(dir, `server-${port}`);
  mkdirSync(serverDir);
  return spawnRedisServer({
    port,
    dir: serverDir,
    persist: false,
    tls,
    extraArgs: [
      // Replicas attach at once instead of after the default 5 s wait for more replicas.
      '--repl-diskless-sync-delay',
      '0',
      ...(replicaOf ? ['--replicaof', replicaOf.host, String(replicaOf.port)] : []),
    ],
  });
}

interface SentinelSet {
  master: RedisAddress;
  sentinels: RedisAddress[];
  /** The master and the replicas, by port. */
  servers: Map<number, Daemon>;
  all: Daemon[];
}

/**
 * Master first, then the replicas; the sentinels once both replicas are online, because a sentinel
 * reads a replica's link status from INFO, asked on connecting and then only every 10 s. Resolves
 * when the set is ready; on failure, whatever it started is stopped.
 */
async function startSentinelSet(dir: string, tls?: RedisTls): Promise<SentinelSet> {
  const clientTls = tls && tlsClientOptions(tls.files);
  const [masterPort, ...others] = await distinctFreePorts(1 + REPLICAS + SENTINELS);
  const address = (port: number) => ({ host: LOOPBACK, port });
  const layout: Layout = {
    master: address(masterPort!),
    replicas: others.slice(0, REPLICAS).map(address),
    sentinels: others
      .slice(REPLICAS)
      .map((port) => ({ ...address(port), id: randomBytes(20).toString('hex') })),
  };
  const { master, sentinels } = layout;
  const servers = new Map<number, Daemon>();
  const all: Daemon[] = [];
  try {
    const masterDaemon = await spawnServer(dir, master.port, tls);
    servers.set(master.port, masterDaemon);
    all.push(masterDaemon);
    const replicaDaemons = await startDaemonsTogether(
      layout.replicas.map(
        ({ port }) =>
          () =>
            spawnServer(dir, port, tls, master),
      ),
    );
    for (const [i, { port }] of layout.replicas.entries()) servers.set(port, replicaDaemons[i]!);
    all.push(...replicaDaemons);
    await waitUntil(() => replicasAttached(master, clientTls), {
      what: `both replicas to be online at the master ${LOOPBACK}:${master.port}`,
      timeoutMs: READY_TIMEOUT_MS,
    });
    all.push(
      ...(await startDaemonsTogether(sentinels.map((_, i) => () => spawnSentinel(dir, layout, i, tls)))),
    );
    await waitUntil(
      async () =>
        (await Promise.all(sentinels.map((sentinel) => sentinelReady(sentinel, master, clientTls)))).every(
          Boolean,
        ),
      {
        what: 'every sentinel to know the master, both replicas and the other sentinels',
        timeoutMs: READY_TIMEOUT_MS,
      },
    );
    return { master, sentinels, servers, all };
  } catch (error) {
    await Promise.all(all.map((daemon) => daemon.stop('SIGKILL')));
    throw withDaemonLogs(error, all);
  }
}

/**
 * One master, two replicas and three sentinels (quorum 2, master `mymaster`) on free 127.0.0.1
 * ports, in a temp dir. Always local (never TEST_REDIS_SENTINEL_URL): the caller may kill the
 * master. Resolves when every sentinel knows the master, both replicas and the other sentinels.
 */
export async function startLocalRedisSentinel(
  options: RedisSentinelOptions = {},
): Promise<LocalRedisSentinel> {
  const dir = makeTempDir('test-redis-sentinel-');
  let set: SentinelSet;
  let tls: RedisTls | undefined;
  try {
    if (options.tls) tls = { files: await makeTlsFiles(join(dir.path, 'tls')), mode: options.tls };
    set = await retryIfPortTaken(() => startSentinelSet(dir.path, tls));
  } catch (error) {
    dir.remove();
    throw error;
  }
  const { sentinels, servers, all } = set;
  const clientTls = tls && tlsClientOptions(tls.files);
  const masterAddress = async (): Promise<RedisAddress> => {
    const reply = await redisCommand(
      sentinels[0]!,
      ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME],
      clientTls,
    );
    const [host, port] = Array.isArray(reply) ? reply.map(String) : [];
    if (!host || !port)
      throw new Error(`the sentinel does not know ${MASTER_NAME}: ${JSON.stringify(reply)}`);
    return { host, port: Number(port) };
  };
  return {
    url: sentinelUrl(sentinels, MASTER_NAME, Boolean(tls)),
    sentinels,
    masterName: MASTER_NAME,
    ...(tls ? { tls: tls.files } : {}),
    masterAddress,
    async killMaster() {
      const address = await masterAddress();
      const daemon = servers.get(address.port);
      if (!daemon || daemon.hasExited())
        throw new Error(`the master ${address.port} is not a live server of ours`);
      await daemon.stop('SIGKILL');
      return address;
    },
    async stop() {
      await Promise.all(all.map((daemon) => daemon.stop('SIGKILL'))); // throwaway data
      dir.remove();
    },
  };
}

/** TEST_REDIS_SENTINEL_URL (`redis-sentinel://h:p,...#name`) when set, else a local sentinel set. */
export async function redisSentinelBackend(): Promise<RedisSentinelBackend> {
  const fromEnv = process.env.TEST_REDIS_SENTINEL_URL;
  if (!fromEnv) return startLocalRedisSentinel();
  try {
    const { addresses, masterName } = parseTopologyUrl(fromEnv, 'sentinel');
    return { url: fromEnv, sentinels: addresses, masterName, stop: async () => {} };
  } catch (error) {
    throw new Error(`TEST_REDIS_SENTINEL_URL: ${(error as Error).message}`);
  }
}
