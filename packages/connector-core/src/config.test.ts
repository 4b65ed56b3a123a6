import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  checkUrlCredentials,
  maskUrlCredentials,
  optionalLimit,
  readCoreConfig,
} from './config.js';

describe('readCoreConfig', () => {
  it('requires CONNECTOR_SOCKET with one clear line', () => {
    expect(() => readCoreConfig({}, { maxBodyBytes: undefined })).toThrow(
      new ConfigError('CONNECTOR_SOCKET environment variable is required'),
    );
  });

  it('has documented defaults', () => {
    const config = readCoreConfig({ CONNECTOR_SOCKET: '/tmp/s.sock' }, { maxBodyBytes: 42 });
    expect(config).toMatchObject({
      socketPath: '/tmp/s.sock',
      socketMode: 0o666,
      prefix: '',
      logLevel: 'info',
      maxBodyBytes: 42,
      spoolMemoryBytes: 4 * 1024 * 1024,
      shutdownGraceMs: 10_000,
      bodyIdleTimeoutMs: 30_000,
      bodyTimeoutMs: 3_600_000,
      headersTimeoutMs: 10_000,
      maxRequests: 256,
      casMemoryBytes: 2 * 1024 * 1024,
    });
  });

  it('bounds the CAS memory in bytes', () => {
    const env = { CONNECTOR_SOCKET: '/s', STATE_CAS_MEMORY_BYTES: '65536' };
    expect(readCoreConfig(env, { maxBodyBytes: 1 }).casMemoryBytes).toBe(65536);
  });

  it('refuses a zero timeout: it would never fire or always fire', () => {
    expect(() =>
      readCoreConfig({ CONNECTOR_SOCKET: '/s', CONNECTOR_BODY_IDLE_TIMEOUT_MS: '0' }, { maxBodyBytes: 1 }),
    ).toThrow(new ConfigError("CONNECTOR_BODY_IDLE_TIMEOUT_MS must be a positive integer, got '0'"));
  });

  it('reads the whole-body deadline: 0 or none turns it off', () => {
    const deadline = (value: string) =>
      readCoreConfig({ CONNECTOR_SOCKET: '/s', CONNECTOR_BODY_TIMEOUT_MS: value }, { maxBodyBytes: 1 })
        .bodyTimeoutMs;
    expect([deadline('5000'), deadline('0'), deadline('none')]).toEqual([5000, 0, 0]);
    expect(() => deadline('soon')).toThrow(/CONNECTOR_BODY_TIMEOUT_MS must be a non-negative integer/);
  });

  it('reads overrides and rejects invalid values', () => {
    const env = {
      CONNECTOR_SOCKET: '/s',
      CONNECTOR_SOCKET_MODE: '0600',
      STATE_PREFIX: 'p',
      STATE_MAX_BODY_BYTES: 'none',
      STATE_MAX_REQUESTS: '64',
    };
    expect(readCoreConfig(env, { maxBodyBytes: 42 })).toMatchObject({
      socketMode: 0o600,
      prefix: 'p',
      maxBodyBytes: undefined,
      maxRequests: 64,
    });
    expect(() =>
      readCoreConfig({ CONNECTOR_SOCKET: '/s', STATE_MAX_REQUESTS: '0' }, { maxBodyBytes: 1 }),
    ).toThrow(/STATE_MAX_REQUESTS must be a positive integer/);
    expect(() => readCoreConfig({ CONNECTOR_SOCKET: '/s', LOG_LEVEL: 'loud' }, { maxBodyBytes: 1 })).toThrow(
      /LOG_LEVEL/,
    );
    expect(() =>
      readCoreConfig({ CONNECTOR_SOCKET: '/s', STATE_MAX_BODY_BYTES: '1e9' }, { maxBodyBytes: 1 }),
    ).toThrow(/STATE_MAX_BODY_BYTES must be a non-negative integer/);
  });
});

describe('optionalLimit', () => {
  it('treats 0 and none as no limit', () => {
    expect(optionalLimit({ L: '0' }, 'L', 5)).toBeUndefined();
    expect(optionalLimit({ L: 'none' }, 'L', 5)).toBeUndefined();
    expect(optionalLimit({}, 'L', 5)).toBe(5);
    expect(optionalLimit({ L: '7' }, 'L', 5)).toBe(7);
  });
});

describe('maskUrlCredentials', () => {
  it('never shows a password', () => {
    expect(maskUrlCredentials('redis://user:s3cret@host:6379/2')).toBe('redis://user:***@host:6379/2');
    expect(maskUrlCredentials('rediss://:s3cret@host')).toBe('rediss://:***@host');
    expect(maskUrlCredentials('redis://token@host')).toBe('redis://***@host');
    expect(maskUrlCredentials('not a url //user:s3cret@host')).not.toContain('s3cret');
  });

  it('leaves a URL without credentials as it is', () => {
    expect(maskUrlCredentials('redis://host:6379/0')).toBe('redis://host:6379/0');
    expect(maskUrlCredentials('http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000');
    expect(maskUrlCredentials('redis://@host')).toBe('redis://@host');
  });

  it('masks a valid percent-encoded password', () => {
    expect(maskUrlCredentials('redis://alice:p%40ss@host')).toBe('redis://alice:***@host');
  });

  // A URL parser ends the credentials at the first '/', '?' or '#': these used to be printed whole,
  // or masked only up to the first '@'.
  it.each([
    ['redis://alice:123?S3CRETq@127.0.0.1:16379/0', 'redis://alice:***@127.0.0.1:16379/0'],
    ['redis://alice:123#S3CRETq@127.0.0.1:16379/0', 'redis://alice:***@127.0.0.1:16379/0'],
    ['redis://alice:pa/ssS3CRET@127.0.0.1:16379', 'redis://alice:***@127.0.0.1:16379'],
    ['redis://alice:p@ss:w%rd/?#é€xS3CRET@127.0.0.1:16379', 'redis://alice:***@127.0.0.1:16379'],
    ['redis://alice:123/S3CRETs@127.0.0.1:16379/0', 'redis://alice:***@127.0.0.1:16379/0'],
    ['redis://S3CRETtok#en@127.0.0.1:16379', 'redis://***@127.0.0.1:16379'],
    ['http://u:EP/PASS@127.0.0.1:9000', 'http://u:***@127.0.0.1:9000'],
    // A user name a parser would misread may hold part of the password.
    ['redis://S3CRET/x:y@127.0.0.1', 'redis://***@127.0.0.1'],
  ])('masks everything up to the last @ of %s', (raw, masked) => {
    expect(maskUrlCredentials(raw)).toBe(masked);
  });
});

describe('checkUrlCredentials', () => {
  const refusal = (masked: string) =>
    `REDIS_URL has credentials a URL parser would misread (percent-encode a '/', '?', '#', '@' or '%' in the user name or password, e.g. '/' as %2F): '${masked}'`;

  it.each([
    'redis://alice:123?S3CRETq@127.0.0.1:16379/0',
    'redis://alice:123#S3CRETq@127.0.0.1:16379/0',
    'redis://alice:pa/ss@127.0.0.1:16379/0',
    'redis://alice:p@ss:w%rd/?#é€x@127.0.0.1:16379/0',
    'redis://alice:123/S3CRETs@127.0.0.1:16379/0',
    'redis://alice:50%off@127.0.0.1:16379/0',
  ])('refuses %s in one line showing only the masked URL', (raw) => {
    expect(() => checkUrlCredentials('REDIS_URL', raw)).toThrow(
      new ConfigError(refusal('redis://alice:***@127.0.0.1:16379/0')),
    );
  });

  it('refuses a lone token a parser would read as the host, masked whole', () => {
    expect(() => checkUrlCredentials('REDIS_URL', 'redis://S3CRETtok#en@127.0.0.1:16379')).toThrow(
      new ConfigError(refusal('redis://***@127.0.0.1:16379')),
    );
  });

  it('refuses a backslash in the credentials of an http URL, where it ends the authority', () => {
    expect(() => checkUrlCredentials('AWS_ENDPOINT_URL', 'http://u:EP\\PASS@127.0.0.1:9000')).toThrow(
      /^AWS_ENDPOINT_URL has credentials a URL parser would misread .*: 'http:\/\/u:\*\*\*@127\.0\.0\.1:9000'$/,
    );
    expect(() => checkUrlCredentials('REDIS_URL', 'redis://u:EP\\PASS@127.0.0.1')).not.toThrow();
  });

  it.each([
    'redis://127.0.0.1:16379/0',
    'redis://alice:p%40ss%2F%3F%23@127.0.0.1:16379/0',
    'redis://TOKEN@127.0.0.1',
    'redis://alice:p@ss@127.0.0.1', // a URL parser also takes the last '@'
    'redis://alice:é€@127.0.0.1',
    'http://127.0.0.1:9000',
  ])('accepts %s', (raw) => {
    expect(() => checkUrlCredentials('REDIS_URL', raw)).not.toThrow();
  });
});
