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
    // so is a server refusing our credentials, or a certificate we refuse, which look alike to
    // node-redis. Before the first connection there is none to lose.
    let everConnected = false;
    const connector = new RedisConnector({
      ...redis,
      prefix: core.prefix,
      memory,
      bodyIdleTimeoutMs: core.bodyIdleTimeoutMs,
      onConnectionChange: ({ connected, denied, certificate, error }) => {
        const fields = { backend: redis.maskedUrl, cause: error?.message };
        if (connected) log.info({ backend: redis.maskedUrl }, 'Redis connected');
        else if (denied) log.error(fields, 'Redis denied access: check the credentials in REDIS_URL');
        else if (certificate === 'untrusted')
          log.error(
            fields,
            "Redis TLS certificate not trusted: check REDIS_TLS_CA_FILE and that REDIS_URL's host names are the certificate's",
          );
        else if (certificate === 'refused')
          log.error(
            { ...fields, cause: (error as NodeJS.ErrnoException).code },
            'Redis refused our TLS client certificate: check REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE',
          );
        else log.warn(fields, everConnected ? 'Redis connection lost' : 'Redis not reachable yet');
        everConnected ||= connected;
      },
    });
    return { connector, backend: redis.maskedUrl };
  },
});
