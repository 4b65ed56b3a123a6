/**
 * The real backends of one run: Redis and S3 from TEST_* env when given (scripts/bench starts them
 * once via test-backends), else started here and stopped by `release`. One bucket per run.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  createBucket,
  type RedisBackend,
  redisBackend,
  type S3Backend,
  s3Backend,
  s3ClientFor,
} from '@state-proxy/test-backends';

export interface Backends {
  redis: RedisBackend;
  s3: S3Backend;
  /** The direct client (and the one used to fill GET keys). */
  s3Client: S3Client;
  bucket: string;
  release(): Promise<void>;
}

export async function acquireBackends(): Promise<Backends> {
  const [redis, s3] = await Promise.allSettled([redisBackend(), s3Backend()]);
  const started = [redis, s3].flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stopAll = () => Promise.allSettled(started.map((b) => b.stop()));
  if (redis.status === 'rejected' || s3.status === 'rejected') {
    await stopAll();
    throw redis.status === 'rejected' ? redis.reason : (s3 as PromiseRejectedResult).reason;
  }
  let s3Client: S3Client | undefined;
  try {
    const bucket = await createBucket(s3.value, 'bench');
    s3Client = s3ClientFor(s3.value);
    const client = s3Client;
    return {
      redis: redis.value,
      s3: s3.value,
      s3Client: client,
      bucket,
      async release() {
        client.destroy();
        await stopAll();
      },
    };
  } catch (error) {
    s3Client?.destroy();
    await stopAll();
    throw error;
  }
}

export function testEnv(backends: Backends): Record<string, string> {
  const { s3 } = backends;
  return {
    TEST_REDIS_URL: backends.redis.url,
    TEST_S3_ENDPOINT: s3.endpoint,
    TEST_S3_ACCESS_KEY: s3.accessKeyId,
    TEST_S3_SECRET_KEY: s3.secretAccessKey,
    TEST_S3_REGION: s3.region,
    TEST_S3_KIND: s3.kind,
  };
}
