/** Compare-and-set against one Redis server: the shared suite (testing/cas-suite.ts). */
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll } from 'vitest';
import { describeCompareAndSet } from './testing/cas-suite.js';

let redis: RedisBackend;
beforeAll(async () => {
  redis = await redisBackend();
});
afterAll(async () => {
  await redis?.stop();
});

describeCompareAndSet('one server', () => redis.url);
