/** The redis-buffered-cas process: config from the environment, then core's runner does the rest. */
import { MiB, runConnector, withCompareAndSet } from '@state-proxy/connector-core';
import { readRedisConfig } from './config.js';
import { RedisConnector } from './connector.js';

runConnector({
  variant: 'redis-buffered-cas',
  defaultMaxBodyBytes: 512 * MiB,
  create(env, core, log, memory) {
    const redis = readRedisConfig(env);
    // Outages are logged once when they start and once when they end, not per reconnect attempt;
    // before the first connection there is none to lose.
    let everConnected = false;
    const connector = new RedisConnector({
      ...redis,
      prefix: core.prefix,
      memory,
      onConnectionChange: ({ connected, error }) => {
        if (connected) log.info({ backend: redis.maskedUrl }, 'Redis connected');
        else
          log.warn(
            { backend: redis.maskedUrl, cause: error?.message },
            everConnected ? 'Redis connection lost' : 'Redis not reachable yet',
          );
        everConnected ||= connected;
      },
    });
    return { connector: withCompareAndSet(connector, core.casMemoryKeys), backend: redis.maskedUrl };
  },
});
