/**
 * Environment → options for the Redis connector (this package's README: Settings). Settings
 * shared by every connector (socket, STATE_PREFIX, limits, CAS memory size, log level) are read by
 * core's readCoreConfig.
 */
import {
  ConfigError,
  type Env,
  maskUrlCredentials,
  optionalInteger,
  positiveInteger,
  requireString,
} from '@state-proxy/connector-core';

export interface RedisConfig {
  /** The URL as given, with credentials: only ever handed to the Redis client. */
  url: string;
  /** The URL with its password masked, for logs and messages. */
  maskedUrl: string;
  /** Bound on each command and on each connection attempt (ms). */
  timeoutMs: number;
  /** Extra time allowed per MiB a command carries (large values take longer than the base timeout). */
  timeoutPerMibMs: number;
  /** Longest pause between two reconnection attempts while Redis is down (ms). */
  reconnectMaxDelayMs: number;
}

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_TIMEOUT_PER_MIB_MS = 100;
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 1000;

export function readRedisConfig(env: Env): RedisConfig {
  const url = requireString(env, 'REDIS_URL').trim();
  const maskedUrl = maskUrlCredentials(url);
  checkRedisUrl(url, maskedUrl);
  return {
    url,
    maskedUrl,
    timeoutMs: positiveInteger(env, 'STATE_BACKEND_TIMEOUT_MS', DEFAULT_TIMEOUT_MS),
    timeoutPerMibMs: optionalInteger(env, 'REDIS_TIMEOUT_PER_MIB_MS', DEFAULT_TIMEOUT_PER_MIB_MS),
    reconnectMaxDelayMs: positiveInteger(env, 'REDIS_RECONNECT_MAX_DELAY_MS', DEFAULT_RECONNECT_MAX_DELAY_MS),
  };
}

/** Rejects what node-redis would reject later (or misread), naming only the masked URL. */
function checkRedisUrl(url: string, masked: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`REDIS_URL is not a valid URL: '${masked}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got '${masked}'`);
  }
  if (parsed.hostname === '') throw new ConfigError(`REDIS_URL has no host: '${masked}'`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new ConfigError(`REDIS_URL database must be a number (redis://host:port/0), got '${masked}'`);
  }
}
