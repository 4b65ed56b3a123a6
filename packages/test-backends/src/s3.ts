import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { dockerAnswers } from './docker.js';
import { startMinioContainer } from './minio.js';
import { startRadosGw } from './radosgw.js';
import type { S3Backend, S3Kind } from './types.js';

const KINDS: readonly S3Kind[] = ['rgw', 'minio', 'external'];

function s3BackendFromEnv(): S3Backend | undefined {
  const endpoint = process.env.TEST_S3_ENDPOINT;
  if (!endpoint) return undefined;
  const kind = (process.env.TEST_S3_KIND || 'external') as S3Kind;
  if (!KINDS.includes(kind)) {
    throw new Error(`TEST_S3_KIND must be one of ${KINDS.join(', ')}; got "${kind}"`);
  }
  const accessKeyId = process.env.TEST_S3_ACCESS_KEY;
  const secretAccessKey = process.env.TEST_S3_SECRET_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error('TEST_S3_ENDPOINT is set: set TEST_S3_ACCESS_KEY and TEST_S3_SECRET_KEY too');
  }
  return {
    endpoint,
    region: process.env.TEST_S3_REGION || 'us-east-1',
    accessKeyId,
    secretAccessKey,
    kind,
    stop: async () => {},
  };
}

/**
 * Order: TEST_S3_ENDPOINT (+ TEST_S3_ACCESS_KEY, TEST_S3_SECRET_KEY, TEST_S3_REGION, TEST_S3_KIND)
 * → MinIO through testcontainers when a Docker engine answers → a local Ceph RadosGW.
 */
export async function s3Backend(): Promise<S3Backend> {
  const fromEnv = s3BackendFromEnv();
  if (fromEnv) return fromEnv;
  if (await dockerAnswers()) return startMinioContainer();
  return startRadosGw();
}

/**
 * An SDK client for the backend. Path-style, because test servers have no wildcard DNS; checksums
 * only when required, because RadosGW rejects streamed bodies under the SDK's default flexible
 * checksums (411).
 */
export function s3ClientFor(backend: S3Backend): S3Client {
  return new S3Client({
    endpoint: backend.endpoint,
    region: backend.region,
    credentials: { accessKeyId: backend.accessKeyId, secretAccessKey: backend.secretAccessKey },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A valid, unique bucket name: `${prefix}-${time}-${random}`, lower case, at most 63 characters. */
export function uniqueBucketName(prefix = 'test'): string {
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 36) || 'test';
  return `${clean}-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
}

/** Creates a fresh, uniquely named bucket on the backend and returns its name. */
export async function createBucket(backend: S3Backend, prefix?: string): Promise<string> {
  const bucket = uniqueBucketName(prefix);
  const client = s3ClientFor(backend);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return bucket;
}
