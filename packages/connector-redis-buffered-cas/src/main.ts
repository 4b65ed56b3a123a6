/** The redis-buffered-cas process: config from the environment, then core's runner does the rest. */
import { MiB, runConnector, withCompareAndSet } from '@state-proxy/connector-core';
import { readRedisConfig } from './config.js';
import { RedisConnector } from './connector.js';

runConnector({
  variant: 'redis-buffered-cas',
  defaultMaxBodyBytes: 512 * MiB,
  create(env, core, log, memory) {
    const redis = readRedisConfig(env);
    // Outages are logged once when they start and once when they end, not per reconnect attempt.
    const connector = new RedisConnector({
      ...redis,
      prefix: core.prefix,
      memory,
      onConnectionChange: ({ connected, error }) =>
        connected
          ? log.info({ backend: redis.maskedUrl }, 'Redis connected')
          : log.warn({ backend: redis.maskedUrl, cause: error?.message }, 'Redis connection lost'),
    });
    return { connector: withCompareAndSet(connector, core.casMemoryKeys), backend: redis.maskedUrl };
  },
});
