/**
 * The real backends of one run: Redis and S3 from TEST_* env when given (scripts/bench starts them
 * once via test-backends), else started here and stopped by `release`. One bucket per run. A
 * Redis Cluster only for runs with a variant on one (TEST_REDIS_CLUSTER_URL, else a local one).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  createBucket,
  type RedisBackend,
  type RedisClusterBackend,
  redisBackend,
  redisClusterBackend,
  type S3Backend,
  s3Backend,
  s3ClientFor,
} from '@state-proxy/test-backends';
import type { Variant } from './variants.js';

export interface Backends {
  redis: RedisBackend;
  /** Present when a variant of the run needs it. */
  redisCluster?: RedisClusterBackend;
  s3: S3Backend;
  /** The direct client (and the one used to fill GET keys). */
  s3Client: S3Client;
  bucket: string;
  release(): Promise<void>;
}

export async function acquireBackends(variants: readonly Variant[] = []): Promise<Backends> {
  const withCluster = variants.some((v) => v.topology === 'cluster');
  const [redis, s3, cluster] = await Promise.allSettled([
    redisBackend(),
    s3Backend(),
    withCluster ? redisClusterBackend() : Promise.resolve(undefined),
  ]);
  const started = [redis, s3, cluster].flatMap((r) =>
    r.status === 'fulfilled' && r.value !== undefined ? [r.value] : [],
  );
  const stopAll = () => Promise.allSettled(started.map((b) => b.stop()));
  if (redis.status === 'rejected' || s3.status === 'rejected' || cluster.status === 'rejected') {
    await stopAll();
    throw [redis, s3, cluster].flatMap((r) => (r.status === 'rejected' ? [r.reason] : []))[0];
  }
  let s3Client: S3Client | undefined;
  try {
    const bucket = await createBucket(s3.value, 'bench');
    s3Client = s3ClientFor(s3.value);
    const client = s3Client;
    return {
      redis: redis.value,
      ...(cluster.value ? { redisCluster: cluster.value } : {}),
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
