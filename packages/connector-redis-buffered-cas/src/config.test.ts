/** Settings from the environment: readRedisConfig directly, and the process's exit on bad ones. */
import { spawn } from 'node:child_process';
import { ConfigError } from '@state-proxy/connector-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECONNECT_MAX_DELAY_MS, DEFAULT_TIMEOUT_MS, readRedisConfig } from './config.js';
import { ENTRY } from './testing/helpers.js';

const SECRET = 'Sup3rS3cretPassw0rd';

describe('readRedisConfig', () => {
  it('reads the URL and defaults', () => {
    const config = readRedisConfig({ REDIS_URL: 'redis://localhost:6379/2' });
    expect(config).toMatchObject({
      url: 'redis://localhost:6379/2',
      timeoutMs: DEFAULT_TIMEOUT_MS,
      reconnectMaxDelayMs: DEFAULT_RECONNECT_MAX_DELAY_MS,
    });
  });

  it('accepts rediss:// and masks the password for display', () => {
    const config = readRedisConfig({ REDIS_URL: `rediss://app:${SECRET}@cache.example:6380/0` });
    expect(config.url).toContain(SECRET);
    expect(config.maskedUrl).toBe('rediss://app:***@cache.example:6380/0');
  });

  it('reads the timeout knobs', () => {
    const config = readRedisConfig({
      REDIS_URL: 'redis://h',
      STATE_BACKEND_TIMEOUT_MS: '750',
      REDIS_TIMEOUT_PER_MIB_MS: '20',
      REDIS_RECONNECT_MAX_DELAY_MS: '5000',
    });
    expect(config).toMatchObject({ timeoutMs: 750, timeoutPerMibMs: 20, reconnectMaxDelayMs: 5000 });
  });

  it.each([
    [{}, 'REDIS_URL environment variable is required'],
    [{ REDIS_URL: '  ' }, 'REDIS_URL environment variable is required'],
    [{ REDIS_URL: `http://u:${SECRET}@h` }, 'REDIS_URL must start with redis:// or rediss://'],
    [{ REDIS_URL: `redis://u:${SECRET}@h/zero` }, 'REDIS_URL database must be a number'],
    [{ REDIS_URL: `not a url ${SECRET}` }, 'REDIS_URL is not a valid URL'],
    [
      { REDIS_URL: 'redis://h', STATE_BACKEND_TIMEOUT_MS: '0' },
      'STATE_BACKEND_TIMEOUT_MS must be a positive',
    ],
    [{ REDIS_URL: 'redis://h', STATE_BACKEND_TIMEOUT_MS: '2s' }, 'STATE_BACKEND_TIMEOUT_MS must be'],
  ])('rejects %j with a one-line ConfigError', (env, message) => {
    let error: unknown;
    try {
      readRedisConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('never puts a password in a message, even for a URL it cannot parse', () => {
    for (const url of [`http://u:${SECRET}@h`, `redis://u:${SECRET}@h/zero`, `redis://:${SECRET}@/x y`]) {
      expect(() => readRedisConfig({ REDIS_URL: url })).toThrow(ConfigError);
      try {
        readRedisConfig({ REDIS_URL: url });
      } catch (error) {
        expect((error as Error).message).not.toContain(SECRET);
      }
    }
  });
});

/** Runs the bundle to its exit; the environment is exactly `env` (plus PATH). */
function runToExit(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the process with a bad setting', () => {
  it('exits 1 with one line when REDIS_URL is missing', async () => {
    const result = await runToExit({ CONNECTOR_SOCKET: '/tmp/redis-connector-never-created.sock' });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('REDIS_URL environment variable is required\n');
  });

  it('exits 1 naming only the masked URL when REDIS_URL is invalid', async () => {
    const result = await runToExit({
      CONNECTOR_SOCKET: '/tmp/redis-connector-never-created.sock',
      REDIS_URL: `http://user:${SECRET}@host:6379`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('REDIS_URL must start with redis:// or rediss://');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });
});
