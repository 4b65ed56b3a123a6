/**
 * Settings from the environment: readRedisConfig directly, and the process's exit on bad ones (a
 * socket path it cannot serve on included).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@state-proxy/connector-core';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RECONNECT_MAX_DELAY_MS, DEFAULT_TIMEOUT_MS, readRedisConfig } from './config.js';
import { runToExit } from './testing/helpers.js';

const SECRET = 'Sup3rS3cretPassw0rd';
const MISREAD_CREDENTIALS =
  "REDIS_URL has credentials a URL parser would misread (percent-encode a '/', '?', '#', '@' or '%' in the user name or password, e.g. '/' as %2F)";

describe('readRedisConfig', () => {
  it('reads the URL and defaults', () => {
    const config = readRedisConfig({ REDIS_URL: 'redis://localhost:6379/2' });
    expect(config).toMatchObject({
      target: { endpoint: { kind: 'standalone', tls: false, url: 'redis://localhost:6379/2' }, tls: {} },
      timeoutMs: DEFAULT_TIMEOUT_MS,
      reconnectMaxDelayMs: DEFAULT_RECONNECT_MAX_DELAY_MS,
    });
  });

  it('accepts rediss:// and masks the password for display', () => {
    const config = readRedisConfig({ REDIS_URL: `rediss://app:${SECRET}@cache.example:6380/0` });
    expect(config.target.endpoint).toMatchObject({ kind: 'standalone', tls: true });
    expect(JSON.stringify(config.target.endpoint)).toContain(SECRET);
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
    [{ REDIS_URL: `http://u:${SECRET}@h` }, 'REDIS_URL must start with redis://, rediss://'],
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

describe('credentials a URL parser would misread', () => {
  // Each was taken for a host, port or path: printed unmasked, or the token resolved as a host name.
  it.each([
    ['redis://alice:123?S3CRETq@127.0.0.1:16379/0', 'redis://alice:***@127.0.0.1:16379/0'],
    ['redis://alice:123#S3CRETq@127.0.0.1:16379/0', 'redis://alice:***@127.0.0.1:16379/0'],
    ['redis://alice:pa/S3CRETss@127.0.0.1:16379/0', 'redis://alice:***@127.0.0.1:16379/0'],
    ['redis://alice:p@ss:w%rd/?#é€xS3CRET@127.0.0.1:16379/0', 'redis://alice:***@127.0.0.1:16379/0'],
    ['redis://alice:123/S3CRETs@127.0.0.1:16379/0', 'redis://alice:***@127.0.0.1:16379/0'],
    ['redis://S3CRETtok#en@127.0.0.1:16379', 'redis://***@127.0.0.1:16379'],
    ['rediss://S3CRETtok/en@127.0.0.1:16379', 'rediss://***@127.0.0.1:16379'],
  ])('refuses %s in one line that shows only %s', (url, masked) => {
    expect(() => readRedisConfig({ REDIS_URL: url })).toThrow(
      new ConfigError(`${MISREAD_CREDENTIALS}: '${masked}'`),
    );
  });

  it('reads percent-encoded credentials, and masks them', () => {
    const url = 'redis://alice:p%40ss%2F%3F%23%25@127.0.0.1:16379/0';
    const config = readRedisConfig({ REDIS_URL: url });
    expect(config.target.endpoint).toEqual({ kind: 'standalone', tls: false, url });
    expect(config.maskedUrl).toBe('redis://alice:***@127.0.0.1:16379/0');
  });

  it('masks a lone token whole', () => {
    expect(readRedisConfig({ REDIS_URL: `redis://${SECRET}@127.0.0.1:16379` }).maskedUrl).toBe(
      'redis://***@127.0.0.1:16379',
    );
  });
});

describe('Sentinel and Cluster URLs', () => {
  it('reads a sentinel URL: hosts (port 26379 by default), database, master name, credentials', () => {
    const config = readRedisConfig({
      REDIS_URL: `rediss-sentinel://app:${SECRET}@s1.example,s2.example:26380,[::1]:26381/2#my%20master`,
    });
    expect(config.target.endpoint).toEqual({
      kind: 'sentinel',
      tls: true,
      sentinels: [
        { host: 's1.example', port: 26379 },
        { host: 's2.example', port: 26380 },
        { host: '::1', port: 26381 },
      ],
      masterName: 'my master',
      database: 2,
      credentials: { username: 'app', password: SECRET },
    });
    expect(config.maskedUrl).toBe(
      'rediss-sentinel://app:***@s1.example,s2.example:26380,[::1]:26381/2#my%20master',
    );
    expect(config.target.sentinelCredentials).toBeUndefined();
  });

  it('reads a cluster URL: seed nodes (port 6379 by default), credentials with escapes', () => {
    const config = readRedisConfig({ REDIS_URL: 'redis-cluster://:p%40ss@n1:7000,n2' });
    expect(config.target.endpoint).toEqual({
      kind: 'cluster',
      tls: false,
      seeds: [
        { host: 'n1', port: 7000 },
        { host: 'n2', port: 6379 },
      ],
      credentials: { password: 'p@ss' },
    });
    expect(config.maskedUrl).toBe('redis-cluster://:***@n1:7000,n2');
  });

  it('refuses a password holding unescaped / or #, as for one server, showing it masked', () => {
    const password = `${SECRET}/#@x`;
    for (const [url, masked] of [
      [`redis-sentinel://u:${password}@h1,h2#m`, 'redis-sentinel://u:***@h1,h2#m'],
      [`redis-cluster://u:${password}@h1:7000/1`, 'redis-cluster://u:***@h1:7000/1'],
      [`redis-cluster://u:${password}@`, 'redis-cluster://u:***@'],
    ]) {
      expect(() => readRedisConfig({ REDIS_URL: url })).toThrow(
        new ConfigError(`${MISREAD_CREDENTIALS}: '${masked}'`),
      );
    }
  });

  it('refuses a master name holding an unescaped @, which would be read as credentials', () => {
    expect(() => readRedisConfig({ REDIS_URL: 'redis-sentinel://h1#my@master' })).toThrow(
      MISREAD_CREDENTIALS,
    );
    expect(readRedisConfig({ REDIS_URL: 'redis-sentinel://h1#my%40master' }).target.endpoint).toMatchObject({
      masterName: 'my@master',
    });
  });

  it('takes sentinel credentials of their own from REDIS_SENTINEL_USERNAME / REDIS_SENTINEL_PASSWORD', () => {
    const url = 'redis-sentinel://:master-pass@h#m';
    expect(
      readRedisConfig({ REDIS_URL: url, REDIS_SENTINEL_PASSWORD: 'sentinel-pass' }).target
        .sentinelCredentials,
    ).toEqual({ password: 'sentinel-pass' });
    // Set but empty: the sentinels get no AUTH at all.
    expect(
      readRedisConfig({ REDIS_URL: url, REDIS_SENTINEL_PASSWORD: '' }).target.sentinelCredentials,
    ).toEqual({});
  });

  it.each([
    ['redis-sentinel://h1,h2', 'has no master name'],
    ['redis-sentinel://h1,h2/0#', 'has no master name'],
    ['redis-sentinel://#m', 'has no host'],
    ['redis-cluster://', 'has no host'],
    ['redis-cluster://h1,,h2', 'has an empty entry in its host list'],
    ['redis-cluster://h1:99999', "has an invalid host:port 'h1:99999'"],
    ['redis-cluster://h1:7000/0', 'names a database, which a Redis Cluster does not have'],
    ['redis-cluster://h1#m', 'only a redis-sentinel:// URL takes'],
    ['redis-sentinel://h1/x#m', 'database must be a number'],
    ['redis-sentinel://h1?db=1#m', 'takes no query parameters'],
    ['redis-sentinel://h1#%zz', 'invalid %-escape'],
  ])('rejects %s with one line', (url, message) => {
    expect(() => readRedisConfig({ REDIS_URL: url })).toThrow(ConfigError);
    expect(() => readRedisConfig({ REDIS_URL: url })).toThrow(message);
  });
});

describe('TLS files and other settings', () => {
  it('reads the CA, certificate and key of REDIS_TLS_* for a TLS URL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-tls-config-'));
    try {
      for (const name of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, name), `PEM ${name}`);
      const config = readRedisConfig({
        REDIS_URL: 'rediss-cluster://h:7000',
        REDIS_TLS_CA_FILE: join(dir, 'ca.pem'),
        REDIS_TLS_CERT_FILE: join(dir, 'cert.pem'),
        REDIS_TLS_KEY_FILE: join(dir, 'key.pem'),
      });
      expect(
        Object.fromEntries(Object.entries(config.target.tls).map(([k, v]) => [k, v?.toString()])),
      ).toEqual({
        ca: 'PEM ca.pem',
        cert: 'PEM cert.pem',
        key: 'PEM key.pem',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [
      { REDIS_URL: 'redis://h', REDIS_TLS_CA_FILE: '/etc/hostname' },
      'REDIS_TLS_CA_FILE is set, but REDIS_URL does not use TLS',
    ],
    [
      { REDIS_URL: 'rediss://h', REDIS_TLS_CA_FILE: '/no/such/ca.pem' },
      'REDIS_TLS_CA_FILE /no/such/ca.pem cannot be read (ENOENT)',
    ],
    [
      { REDIS_URL: 'rediss://h', REDIS_TLS_CERT_FILE: '/etc/hostname' },
      'REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together',
    ],
    [{ REDIS_URL: 'redis://h', REDIS_SENTINEL_PASSWORD: 'x' }, 'REDIS_URL is not redis-sentinel://'],
    [
      { REDIS_URL: 'redis://h', STATE_REDIS_WAIT_REPLICAS: '-1' },
      'STATE_REDIS_WAIT_REPLICAS must be a non-negative integer',
    ],
    [
      { REDIS_URL: 'redis://h', STATE_REDIS_WAIT_TIMEOUT_MS: '0' },
      'STATE_REDIS_WAIT_TIMEOUT_MS must be a positive integer',
    ],
  ])('rejects %j with one line', (env, message) => {
    expect(() => readRedisConfig(env)).toThrow(ConfigError);
    expect(() => readRedisConfig(env)).toThrow(message);
  });

  it('reads STATE_REDIS_WAIT_REPLICAS and its timeout (0 and 1000 ms by default)', () => {
    expect(readRedisConfig({ REDIS_URL: 'redis://h' })).toMatchObject({
      waitReplicas: 0,
      waitTimeoutMs: 1000,
    });
    expect(
      readRedisConfig({
        REDIS_URL: 'redis://h',
        STATE_REDIS_WAIT_REPLICAS: '2',
        STATE_REDIS_WAIT_TIMEOUT_MS: '250',
      }),
    ).toMatchObject({ waitReplicas: 2, waitTimeoutMs: 250 });
  });
});

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
    expect(result.stderr).toContain('REDIS_URL must start with redis://, rediss://');
    expect(result.stdout + result.stderr).not.toContain(SECRET);
  });

  it('exits 1 with one masked line for a sentinel URL without a master name', async () => {
    const result = await runToExit({
      CONNECTOR_SOCKET: '/tmp/redis-connector-never-created.sock',
      REDIS_URL: `redis-sentinel://user:${SECRET}@h1:26379,h2:26379`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "REDIS_URL has no master name (redis-sentinel://host:26379#mymaster): 'redis-sentinel://user:***@h1:26379,h2:26379'\n",
    );
  });
});

describe('a socket path it cannot serve on, with a Redis that answers', () => {
  let redis: RedisBackend;
  beforeAll(async () => {
    redis = await redisBackend();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('exits 1 with one line on stderr and nothing on stdout: checked before Redis is connected to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-blocked-socket-'));
    try {
      const socketPath = join(dir, 'blocked.sock');
      writeFileSync(socketPath, 'a regular file');
      const result = await runToExit({
        CONNECTOR_SOCKET: socketPath,
        REDIS_URL: redis.url,
        LOG_LEVEL: 'info',
      });
      // A Redis connection opened meanwhile would have logged on stdout.
      expect(result).toEqual({
        code: 1,
        stdout: '',
        stderr: `CONNECTOR_SOCKET ${socketPath} exists and is not a socket\n`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
