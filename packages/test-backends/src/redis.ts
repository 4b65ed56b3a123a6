import type { Daemon } from './daemon.js';
import { dockerAnswers } from './docker.js';
import { freePort, LOOPBACK, retryIfPortTaken } from './ports.js';
import { startRedisContainer } from './redis-container.js';
import { spawnRedisServer } from './redis-server.js';
import { makeTempDir } from './temp-dir.js';
import type { RedisBackend } from './types.js';

/** Order: TEST_REDIS_URL → testcontainers when a Docker engine answers → a local `redis-server`. */
export async function redisBackend(): Promise<RedisBackend> {
  const fromEnv = process.env.TEST_REDIS_URL;
  if (fromEnv) return { url: fromEnv, stop: async () => {} };
  if (await dockerAnswers()) return startRedisContainer();
  return startLocalRedisBackend();
}

async function startLocalRedisBackend(): Promise<RedisBackend> {
  const dir = makeTempDir('test-redis-');
  try {
    const { port, daemon } = await spawnOnFreePort(dir.path);
    return {
      url: `redis://${LOOPBACK}:${port}`,
      async stop() {
        await daemon.stop('SIGKILL'); // throwaway data: no need for a clean shutdown
        dir.remove();
      },
    };
  } catch (error) {
    dir.remove();
    throw error;
  }
}

function spawnOnFreePort(dir: string, persist = false): Promise<{ port: number; daemon: Daemon }> {
  return retryIfPortTaken(async () => {
    const port = await freePort();
    return { port, daemon: await spawnRedisServer({ port, dir, persist }) };
  });
}

export interface LocalRedis {
  url: string;
  port: number;
  /** Stops the server (it saves its data first, like a clean shutdown); no-op when stopped. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the saved data; no-op when running. */
  start(): Promise<void>;
}

/**
 * A local redis-server owned by the caller, for fault tests: stop() and start() again on the SAME
 * port, data kept across the restart. Always local (never TEST_REDIS_URL), since the caller must be
 * able to stop it. Its temp dir is removed when the process exits.
 */
export async function startLocalRedis(): Promise<LocalRedis> {
  const dir = makeTempDir('test-redis-owned-');
  let running: Daemon | undefined;
  let port: number;
  try {
    ({ port, daemon: running } = await spawnOnFreePort(dir.path, true));
  } catch (error) {
    dir.remove();
    throw error;
  }
  return {
    url: `redis://${LOOPBACK}:${port}`,
    port,
    async stop() {
      const daemon = running;
      running = undefined;
      await daemon?.stop('SIGTERM', 10_000);
    },
    async start() {
      running ??= await spawnRedisServer({ port, dir: dir.path, persist: true });
    },
  };
}
