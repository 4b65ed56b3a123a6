import { connect } from 'node:net';
import { join } from 'node:path';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { requireBinaries } from './binaries.js';
import { type Daemon, startDaemon } from './daemon.js';
import { LOOPBACK } from './ports.js';
import { type RedisTls, redisTlsArgs, tlsClientOptions } from './redis-tls-settings.js';
import { waitUntil } from './wait.js';

const READY_TIMEOUT_MS = 20_000;

/**
 * Whether a Redis server on host:port answers PING (a loading server answers -LOADING: not ready).
 * With `tls`, over TLS with these client options.
 */
export function redisAnswersPing(
  host: string,
  port: number,
  timeoutMs = 1000,
  tls?: ConnectionOptions,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls ? tlsConnect({ ...tls, host, port }) : connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** The arguments that make a server listen on 127.0.0.1:port only: plain TCP, or TLS only. */
export function listenArgs(port: number, tls?: RedisTls): string[] {
  const where = ['--bind', LOOPBACK];
  if (!tls) return [...where, '--port', String(port)];
  return [...where, '--port', '0', '--tls-port', String(port), ...redisTlsArgs(tls)];
}

export interface RedisProcessOptions {
  /** For errors, e.g. "redis-server 127.0.0.1:7001". */
  name: string;
  /** Everything after the program name. */
  args: string[];
  /** Where it answers PING once ready. */
  port: number;
  logFile: string;
  /** PING over TLS, as a client with these files. */
  tls?: RedisTls;
}

/** Starts `redis-server` (a server or a sentinel) and resolves once it answers PING on 127.0.0.1:port. */
export async function spawnRedisProcess(options: RedisProcessOptions): Promise<Daemon> {
  const [redisServer] = requireBinaries(['redis-server'], ['redis-server'], 'TEST_REDIS_URL');
  const daemon = startDaemon({
    name: options.name,
    command: redisServer!,
    args: options.args,
    logFile: options.logFile,
  });
  const probeTls = options.tls && tlsClientOptions(options.tls.files);
  try {
    await waitUntil(() => redisAnswersPing(LOOPBACK, options.port, 1000, probeTls), {
      what: `${options.name} to answer PING${options.tls ? ' over TLS' : ''}`,
      timeoutMs: READY_TIMEOUT_MS,
      daemon,
    });
  } catch (error) {
    await daemon.stop('SIGKILL');
    throw error;
  }
  return daemon;
}

export interface RedisServerOptions {
  port: number;
  /** Working dir: its log, and its RDB file when `persist` is on. */
  dir: string;
  /** Save the data set on shutdown and load it on start, so a stop/start keeps the data like a real restart. */
  persist: boolean;
  /** Serve TLS only, on `port`. */
  tls?: RedisTls;
  /** Further `--name value` settings, e.g. cluster mode or `--replicaof`. */
  extraArgs?: string[];
}

/** Starts `redis-server` on 127.0.0.1:port and resolves once it answers PING. */
export function spawnRedisServer(options: RedisServerOptions): Promise<Daemon> {
  return spawnRedisProcess({
    name: `redis-server ${LOOPBACK}:${options.port}`,
    args: [
      ...listenArgs(options.port, options.tls),
      '--dir',
      options.dir,
      '--dbfilename',
      'dump.rdb',
      // A save point makes SIGTERM save the data set; without one nothing touches the disk.
      '--save',
      options.persist ? '3600 1' : '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--logfile',
      '',
      ...(options.extraArgs ?? []),
    ],
    port: options.port,
    logFile: join(options.dir, 'redis-server.log'),
    tls: options.tls,
  });
}
