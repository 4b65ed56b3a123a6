export { type FaultMode, type FaultProxy, startFaultProxy } from './fault-proxy.js';
export { type LocalRedis, redisBackend, startLocalRedis } from './redis.js';
export { createBucket, s3Backend, s3ClientFor } from './s3.js';
export type { RedisBackend, S3Backend, S3Kind } from './types.js';
