import { expect, it } from 'vitest';
import { imageEnv } from './variants.js';

it("reads each image's NODE_OPTIONS and malloc settings from the Dockerfile and the bake file", () => {
  const redis = imageEnv('redis-buffered-cas');
  const s3 = imageEnv('s3-buffered-lww');
  for (const env of [redis, s3]) {
    expect(env.NODE_OPTIONS).toMatch(/^--max-semi-space-size=\d+ --max-old-space-size=\d+$/);
    expect(env.MALLOC_ARENA_MAX).toMatch(/^\d+$/);
    expect(env.MALLOC_MMAP_THRESHOLD_).toMatch(/^\d+$/);
  }
  // The Redis target sets NODE_OLD_SPACE_MIB; the S3 ones take the Dockerfile's default.
  expect(redis.NODE_OPTIONS).not.toBe(s3.NODE_OPTIONS);
});
