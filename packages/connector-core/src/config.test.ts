import { describe, expect, it } from 'vitest';
import { ConfigError, maskUrlCredentials, optionalLimit, readCoreConfig } from './config.js';

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
    });
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
});
