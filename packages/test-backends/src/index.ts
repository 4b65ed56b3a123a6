export type { ClusterNode } from './cluster-nodes.js';
export { type LocalRedis, redisBackend, startLocalRedis } from './redis.js';
export {
  type LocalRedisCluster,
  type RedisClusterOptions,
  redisClusterBackend,
  startLocalRedisCluster,
} from './redis-cluster.js';
export {
  type LocalRedisSentinel,
  type RedisSentinelOptions,
  redisSentinelBackend,
  startLocalRedisSentinel,
} from './redis-sentinel.js';
export { type LocalRedisTls, startLocalRedisTls } from './redis-tls.js';
export type { TlsMode } from './redis-tls-settings.js';
export { createBucket, s3Backend, s3ClientFor } from './s3.js';
export type { TlsFiles } from './tls-certificates.js';
export type {
  RedisAddress,
  RedisBackend,
  RedisClusterBackend,
  RedisSentinelBackend,
  S3Backend,
  S3Kind,
} from './types.js';
