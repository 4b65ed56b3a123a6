// The Redis image in a pod, against the run's redis-server (TEST_REDIS_URL under ./scripts/test).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { variant } from '@state-proxy/connector-redis-buffered-cas/variant';
import { type RedisBackend, redisBackend } from '@state-proxy/test-backends';
import { afterAll, beforeAll } from 'vitest';
import { describePod } from './describe-pod.js';
import { bakeArgs } from './image.js';

let redis: RedisBackend | undefined;
beforeAll(async () => {
  redis = await redisBackend();
});
afterAll(async () => {
  await redis?.stop();
});

describePod({
  declaration: variant,
  bundle: fileURLToPath(new URL('../../connector-redis-buffered-cas/dist/main.cjs', import.meta.url)),
  buildArgs: () => bakeArgs('redis-buffered-cas'),
  backendEnv: () => {
    if (!redis) throw new Error('no Redis (see the first failure)');
    return { REDIS_URL: redis.url, STATE_PREFIX: `pod-${randomBytes(4).toString('hex')}` };
  },
});
