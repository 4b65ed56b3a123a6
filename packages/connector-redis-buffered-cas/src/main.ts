/** The redis-buffered-cas process: config from the environment, then core's runner does the rest. */
import { runConnector } from '@state-proxy/connector-core';
import { readRedisConfig } from './config.js';
import { RedisConnector } from './connector.js';
import { variant } from './variant.js';

runConnector({
  variant,
  create(env, { core, log, memory }) {
    const redis = readRedisConfig(env);
    // Outages are logged once when they start and once when they end, not per reconnect attempt;
    // so is a server refusing our credentials, which looks alike to node-redis. Before the first
    // connection there is none to lose.
    let everConnected = false;
    const connector = new RedisConnector({
      ...redis,
      prefix: core.prefix,
      memory,
      onConnectionChange: ({ connected, denied, error }) => {
        const fields = { backend: redis.maskedUrl, cause: error?.message };
        if (connected) log.info({ backend: redis.maskedUrl }, 'Redis connected');
        else if (denied) log.error(fields, 'Redis denied access: check the credentials in REDIS_URL');
        else log.warn(fields, everConnected ? 'Redis connection lost' : 'Redis not reachable yet');
        everConnected ||= connected;
      },
    });
    return { connector, backend: redis.maskedUrl };
  },
});
