import { connect } from 'node:net';
import { join } from 'node:path';
import { requireBinaries } from './binaries.js';
import { type Daemon, startDaemon } from './daemon.js';
import { LOOPBACK } from './ports.js';
import { waitUntil } from './wait.js';

const READY_TIMEOUT_MS = 20_000;

/** Whether a Redis server on host:port answers PING (a loading server answers -LOADING: not ready). */
export function redisAnswersPing(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export interface RedisServerOptions {
  port: number;
  /** Working dir: its log, and its RDB file when `persist` is on. */
  dir: string;
  /** Save the data set on shutdown and load it on start, so a stop/start keeps the data like a real restart. */
  persist: boolean;
}

/** Starts `redis-server` on 127.0.0.1:port and resolves once it answers PING. */
export async function spawnRedisServer(options: RedisServerOptions): Promise<Daemon> {
  const [redisServer] = requireBinaries(['redis-server'], ['redis-server'], 'TEST_REDIS_URL');
  const daemon = startDaemon({
    name: 'redis-server',
    command: redisServer!,
    args: [
      '--port',
      String(options.port),
      '--bind',
      LOOPBACK,
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
    ],
    logFile: join(options.dir, 'redis-server.log'),
  });
  try {
    await waitUntil(() => redisAnswersPing(LOOPBACK, options.port), {
      what: `redis-server to answer PING on ${LOOPBACK}:${options.port}`,
      timeoutMs: READY_TIMEOUT_MS,
      daemon,
    });
  } catch (error) {
    await daemon.stop('SIGKILL');
    throw error;
  }
  return daemon;
}
