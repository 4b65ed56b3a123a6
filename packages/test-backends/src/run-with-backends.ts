// test-backends run [--redis] [--s3] [--redis-cluster] [--redis-sentinel] -- <command...>
// Starts the backends once, runs the command with their addresses in TEST_* env vars, stops them,
// and returns the command's exit code: one RadosGW for a whole test run instead of one per package.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { redisBackend } from './redis.js';
import { redisClusterBackend } from './redis-cluster.js';
import { redisSentinelBackend } from './redis-sentinel.js';
import { s3Backend } from './s3.js';

const USAGE =
  'usage: test-backends run [--redis] [--s3] [--redis-cluster] [--redis-sentinel] -- <command...>  ' +
  '(--redis and --s3 when no flag is given)';

/** A started backend as the command sees it: env vars, a line for the log, and how to stop it. */
interface Running {
  env: Record<string, string>;
  description: string;
  stop(): Promise<void>;
}

const BACKENDS: Record<string, () => Promise<Running>> = {
  '--redis': async () => {
    const redis = await redisBackend();
    return {
      env: { TEST_REDIS_URL: redis.url },
      description: `Redis at ${redis.url}`,
      stop: () => redis.stop(),
    };
  },
  '--s3': async () => {
    const s3 = await s3Backend();
    return {
      env: {
        TEST_S3_ENDPOINT: s3.endpoint,
        TEST_S3_ACCESS_KEY: s3.accessKeyId,
        TEST_S3_SECRET_KEY: s3.secretAccessKey,
        TEST_S3_REGION: s3.region,
        TEST_S3_KIND: s3.kind,
      },
      description: `S3 (${s3.kind}) at ${s3.endpoint}`,
      stop: () => s3.stop(),
    };
  },
  '--redis-cluster': async () => {
    const cluster = await redisClusterBackend();
    return {
      env: { TEST_REDIS_CLUSTER_URL: cluster.url },
      description: `Redis Cluster at ${cluster.url}`,
      stop: () => cluster.stop(),
    };
  },
  '--redis-sentinel': async () => {
    const sentinel = await redisSentinelBackend();
    return {
      env: { TEST_REDIS_SENTINEL_URL: sentinel.url },
      description: `Redis Sentinel at ${sentinel.url}`,
      stop: () => sentinel.stop(),
    };
  },
};
const DEFAULT_FLAGS = ['--redis', '--s3'];

interface RunRequest {
  flags: string[];
  command: string[];
}

function parseArgs(argv: string[]): RunRequest {
  const [verb, ...rest] = argv;
  if (verb !== 'run') throw new Error(USAGE);
  const separator = rest.indexOf('--');
  const flags = separator === -1 ? rest : rest.slice(0, separator);
  const command = separator === -1 ? [] : rest.slice(separator + 1);
  const unknown = flags.filter((flag) => !(flag in BACKENDS));
  if (unknown.length > 0 || command.length === 0) throw new Error(USAGE);
  return { flags: flags.length > 0 ? [...new Set(flags)] : DEFAULT_FLAGS, command };
}

function log(message: string): void {
  process.stderr.write(`test-backends: ${message}\n`);
}

/** Runs the command to completion, forwarding SIGINT/SIGTERM; resolves with its exit code. */
function runChild(command: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    for (const signal of signals) process.on(signal, forward);
    const done = (code: number) => {
      for (const signal of signals) process.removeListener(signal, forward);
      resolve(code);
    };
    child.once('error', (error) => {
      log(`could not run ${file}: ${error.message}`);
      done(127);
    });
    child.once('exit', (code, signal) => done(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1)));
  });
}

/** The CLI without the process: argv after the program name; resolves with the exit code. */
export async function runWithBackends(argv: string[]): Promise<number> {
  let request: RunRequest;
  try {
    request = parseArgs(argv);
  } catch (error) {
    log((error as Error).message);
    return 2;
  }
  const startedAt = Date.now();
  const results = await Promise.allSettled(request.flags.map((flag) => BACKENDS[flag]!()));
  const running = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stopAll = async () => {
    await Promise.allSettled(running.map((backend) => backend.stop()));
  };
  const failures = results.filter((result) => result.status === 'rejected');
  if (failures.length > 0) {
    for (const failure of failures) log(`could not start a backend: ${(failure.reason as Error).message}`);
    await stopAll();
    return 1;
  }
  const ready = running.map((backend) => backend.description).join(', ');
  log(`${ready} ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  try {
    return await runChild(request.command, Object.assign({}, ...running.map((backend) => backend.env)));
  } finally {
    await stopAll();
  }
}
