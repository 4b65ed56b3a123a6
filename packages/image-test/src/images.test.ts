// Every variant's image, at the memory limit of its pod spec, against the run's Redis and S3 server
// (TEST_REDIS_URL and TEST_S3_* under ./scripts/test, else servers of its own).
import { randomBytes } from 'node:crypto';
import { variant as redisBufferedCas } from '@state-proxy/connector-redis-buffered-cas/variant';
import { variant as s3BufferedCas } from '@state-proxy/connector-s3-buffered-cas/variant';
import { variant as s3BufferedLww } from '@state-proxy/connector-s3-buffered-lww/variant';
import { variant as s3Passthrough } from '@state-proxy/connector-s3-passthrough/variant';
import { freshBucket, s3Env, uniquePrefix } from '@state-proxy/s3-connector/testing';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll } from 'vitest';
import { describeImage } from './describe-image.js';

let redis: RedisBackend | undefined;
let bucket: string | undefined;
beforeAll(async () => {
  redis = await redisBackend();
  bucket = await freshBucket('image');
});
afterAll(async () => {
  await redis?.stop();
});

describeImage({
  declaration: redisBufferedCas,
  memoryMiB: 64,
  largeValueMiB: 512,
  backendEnv: () => ({ REDIS_URL: redis!.url, STATE_PREFIX: `image-${randomBytes(4).toString('hex')}` }),
});
for (const [declaration, largeValueMiB] of [
  [s3BufferedLww, 256],
  [s3BufferedCas, 256],
  [s3Passthrough, 1024],
] as const) {
  describeImage({
    declaration,
    memoryMiB: 128,
    largeValueMiB,
    backendEnv: () => ({ ...s3Env(bucket!), STATE_PREFIX: uniquePrefix('image') }),
  });
}
