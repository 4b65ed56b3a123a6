import { GetObjectCommand, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { canConnect } from './ports.js';
import { createBucket, s3Backend, s3ClientFor, uniqueBucketName } from './s3.js';
import type { S3Backend } from './types.js';

/** PutObject, GetObject, and an `If-None-Match: *` PutObject that must lose the second time. */
async function exerciseBackend(backend: S3Backend): Promise<void> {
  const bucket = await createBucket(backend, 'smoke');
  const client = s3ClientFor(backend);
  try {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b.txt', Body: 'hello' }));
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');
    expect(got.ContentLength).toBe(5);

    const create = () =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    await create();
    const failure = await create().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(S3ServiceException);
    expect((failure as S3ServiceException).$metadata.httpStatusCode).toBe(412);
  } finally {
    client.destroy();
  }
}

describe('s3Backend', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('gives a server that stores, returns and honours conditions (as configured for this run)', async () => {
    const backend = await s3Backend();
    try {
      expect(['rgw', 'minio', 'external']).toContain(backend.kind);
      await exerciseBackend(backend);
    } finally {
      await backend.stop();
    }
  });

  it('starts its own server when TEST_S3_ENDPOINT is not set, and stops it', async () => {
    vi.stubEnv('TEST_S3_ENDPOINT', '');
    const backend = await s3Backend();
    expect(['rgw', 'minio']).toContain(backend.kind);
    await exerciseBackend(backend);
    await backend.stop();
    const { hostname, port } = new URL(backend.endpoint);
    expect(await canConnect(hostname, Number(port))).toBe(false);
  });

  it('reads an external server from TEST_S3_* and never stops it', async () => {
    vi.stubEnv('TEST_S3_ENDPOINT', 'http://127.0.0.1:9');
    vi.stubEnv('TEST_S3_ACCESS_KEY', 'ak');
    vi.stubEnv('TEST_S3_SECRET_KEY', 'sk');
    vi.stubEnv('TEST_S3_REGION', '');
    vi.stubEnv('TEST_S3_KIND', '');
    const backend = await s3Backend();
    expect(backend).toMatchObject({
      endpoint: 'http://127.0.0.1:9',
      accessKeyId: 'ak',
      secretAccessKey: 'sk',
      region: 'us-east-1',
      kind: 'external',
    });
    await backend.stop();
  });

  it('rejects an unknown TEST_S3_KIND and missing credentials with a message that says what to set', async () => {
    vi.stubEnv('TEST_S3_ENDPOINT', 'http://127.0.0.1:9');
    vi.stubEnv('TEST_S3_ACCESS_KEY', 'ak');
    vi.stubEnv('TEST_S3_SECRET_KEY', 'sk');
    vi.stubEnv('TEST_S3_KIND', 'garage');
    await expect(s3Backend()).rejects.toThrow(/TEST_S3_KIND must be one of rgw, minio, external/);
    vi.stubEnv('TEST_S3_KIND', 'rgw');
    vi.stubEnv('TEST_S3_SECRET_KEY', '');
    await expect(s3Backend()).rejects.toThrow(/set TEST_S3_ACCESS_KEY and TEST_S3_SECRET_KEY/);
  });
});

describe('uniqueBucketName', () => {
  it('makes valid, distinct names from any prefix', () => {
    const names = [
      uniqueBucketName('My_Tests!'),
      uniqueBucketName('My_Tests!'),
      uniqueBucketName('x'.repeat(80)),
    ];
    expect(new Set(names).size).toBe(3);
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
    expect(names[0]).toMatch(/^my-tests-/);
  });
});
