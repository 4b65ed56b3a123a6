// test-backends run [--redis] [--s3] -- <command...>
// Starts the backends once, runs the command with their addresses in TEST_* env vars, stops them,
// and returns the command's exit code: one RadosGW for a whole test run instead of one per package.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { redisBackend } from './redis.js';
import { s3Backend } from './s3.js';
import type { RedisBackend, S3Backend } from './types.js';

const USAGE =
  'usage: test-backends run [--redis] [--s3] -- <command...>  (both backends when no flag is given)';

interface RunRequest {
  redis: boolean;
  s3: boolean;
  command: string[];
}

function parseArgs(argv: string[]): RunRequest {
  const [verb, ...rest] = argv;
  if (verb !== 'run') throw new Error(USAGE);
  const separator = rest.indexOf('--');
  const flags = separator === -1 ? rest : rest.slice(0, separator);
  const command = separator === -1 ? [] : rest.slice(separator + 1);
  const unknown = flags.filter((flag) => flag !== '--redis' && flag !== '--s3');
  if (unknown.length > 0 || command.length === 0) throw new Error(USAGE);
  const neither = !flags.includes('--redis') && !flags.includes('--s3');
  return { redis: neither || flags.includes('--redis'), s3: neither || flags.includes('--s3'), command };
}

function log(message: string): void {
  process.stderr.write(`test-backends: ${message}\n`);
}

function backendEnv(redis?: RedisBackend, s3?: S3Backend): Record<string, string> {
  const env: Record<string, string> = {};
  if (redis) env.TEST_REDIS_URL = redis.url;
  if (s3) {
    env.TEST_S3_ENDPOINT = s3.endpoint;
    env.TEST_S3_ACCESS_KEY = s3.accessKeyId;
    env.TEST_S3_SECRET_KEY = s3.secretAccessKey;
    env.TEST_S3_REGION = s3.region;
    env.TEST_S3_KIND = s3.kind;
  }
  return env;
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
  const [redis, s3] = await Promise.allSettled([
    request.redis ? redisBackend() : Promise.resolve(undefined),
    request.s3 ? s3Backend() : Promise.resolve(undefined),
  ]);
  const stopAll = async () => {
    await Promise.allSettled([
      redis.status === 'fulfilled' ? redis.value?.stop() : undefined,
      s3.status === 'fulfilled' ? s3.value?.stop() : undefined,
    ]);
  };
  const failures = [redis, s3].filter((result) => result.status === 'rejected');
  if (failures.length > 0) {
    for (const failure of failures) log(`could not start a backend: ${(failure.reason as Error).message}`);
    await stopAll();
    return 1;
  }
  const redisValue = redis.status === 'fulfilled' ? redis.value : undefined;
  const s3Value = s3.status === 'fulfilled' ? s3.value : undefined;
  const ready = [
    redisValue && `Redis at ${redisValue.url}`,
    s3Value && `S3 (${s3Value.kind}) at ${s3Value.endpoint}`,
  ].filter(Boolean);
  log(`${ready.join(', ')} ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  try {
    return await runChild(request.command, backendEnv(redisValue, s3Value));
  } finally {
    await stopAll();
  }
}
