import { ConfigError } from '@state-proxy/connector-core';
import { describe, expect, it } from 'vitest';
import { describeBackend, readS3Settings } from './config.js';

describe('readS3Settings', () => {
  it('needs STATE_BUCKET, with one clear line', () => {
    expect(() => readS3Settings({}, '')).toThrow(
      new ConfigError('STATE_BUCKET environment variable is required'),
    );
  });

  it('has defaults for everything else', () => {
    const settings = readS3Settings({ STATE_BUCKET: 'b' }, 'models/v2//');
    expect(settings).toMatchObject({
      bucket: 'b',
      region: 'us-east-1',
      endpoint: undefined,
      prefix: 'models/v2',
      presignTtlSeconds: 3600,
      timeoutMs: 30_000,
      ifMatchFormat: 'unquoted',
      partSizeBytes: 8 * 1024 * 1024,
      queueSize: 2,
    });
    expect(describeBackend(settings)).toBe('s3://b/models/v2 (region us-east-1)');
  });

  it('describes an endpoint without its credentials', () => {
    const settings = readS3Settings(
      { STATE_BUCKET: 'b', AWS_ENDPOINT_URL: 'http://user:secret@minio:9000' },
      '',
    );
    expect(describeBackend(settings)).toBe('s3://b (endpoint http://user:***@minio:9000)');
  });

  it('rejects bad values', () => {
    const env = { STATE_BUCKET: 'b' };
    expect(() => readS3Settings({ ...env, S3_IF_MATCH_FORMAT: 'weak' }, '')).toThrow(ConfigError);
    expect(() => readS3Settings({ ...env, STATE_PART_SIZE_BYTES: '1024' }, '')).toThrow(/at least/);
    expect(() => readS3Settings({ ...env, STATE_PRESIGN_TTL: '0' }, '')).toThrow(ConfigError);
    expect(() => readS3Settings({ ...env, STATE_BACKEND_TIMEOUT_MS: 'soon' }, '')).toThrow(ConfigError);
    expect(() => readS3Settings({ ...env, AWS_ENDPOINT_URL: 'localhost:9000' }, '')).toThrow(/http/);
  });

  it('describes an endpoint with percent-encoded credentials masked', () => {
    const endpoint = 'http://u:EP%2FPASS@minio:9000';
    const settings = readS3Settings({ STATE_BUCKET: 'b', AWS_ENDPOINT_URL: endpoint }, '');
    expect(settings.endpoint).toBe(endpoint);
    expect(describeBackend(settings)).toBe('s3://b (endpoint http://u:***@minio:9000)');
  });

  it('refuses an endpoint whose password a URL parser would misread, in one masked line', () => {
    for (const endpoint of ['http://u:EP/PASS@minio:9000', 'https://u:EP?PASS@minio:9000']) {
      expect(() => readS3Settings({ STATE_BUCKET: 'b', AWS_ENDPOINT_URL: endpoint }, '')).toThrow(
        new ConfigError(
          `AWS_ENDPOINT_URL has credentials a URL parser would misread (percent-encode a '/', '?', '#', '@' or '%' in the user name or password, e.g. '/' as %2F): '${endpoint.replace(/:EP.PASS@/, ':***@')}'`,
        ),
      );
    }
  });

  it('masks the password in the message about a wrong scheme', () => {
    expect(() =>
      readS3Settings({ STATE_BUCKET: 'b', AWS_ENDPOINT_URL: 'ftp://u:PASS@minio:9000' }, ''),
    ).toThrow(
      new ConfigError("AWS_ENDPOINT_URL must be an http:// or https:// URL, got 'ftp://u:***@minio:9000'"),
    );
  });
});
