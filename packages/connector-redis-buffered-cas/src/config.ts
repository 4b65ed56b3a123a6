/**
 * Environment → options for the Redis connector (this package's README: Settings). Settings
 * shared by every connector (socket, STATE_PREFIX, limits, CAS memory size, log level) are read by
 * core's readCoreConfig.
 */
import { readFileSync } from 'node:fs';
import {
  ConfigError,
  type Env,
  maskUrlCredentials,
  optionalInteger,
  optionalString,
  positiveInteger,
  requireString,
} from '@state-proxy/connector-core';
import { type Credentials, parseRedisUrl, type RedisEndpoint } from './redis-url.js';

/** Where Redis is and how to reach it: everything a connection needs besides its timing. */
export interface RedisTarget {
  endpoint: RedisEndpoint;
  /** REDIS_TLS_*: what to trust, and what to present to a server that requires mutual TLS. */
  tls: TlsFiles;
  /** REDIS_SENTINEL_USERNAME / _PASSWORD, when the sentinels' differ from the master's. */
  sentinelCredentials?: Credentials;
}

/** PEM contents; absent: Node's built-in CAs, no client certificate. */
export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface RedisConfig {
  target: RedisTarget;
  /** REDIS_URL with its password masked, for logs and messages. */
  maskedUrl: string;
  /** Bound on each command and on each connection attempt (ms). */
  timeoutMs: number;
  /** Extra time allowed per MiB a command carries (large values take longer than the base timeout). */
  timeoutPerMibMs: number;
  /** Longest pause between two reconnection attempts while Redis is down (ms). */
  reconnectMaxDelayMs: number;
  /** A write answers only once this many replicas confirm it (WAIT); 0: as soon as the master has it. */
  waitReplicas: number;
  /** How long WAIT waits for them (ms). */
  waitTimeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_TIMEOUT_PER_MIB_MS = 100;
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 1000;
export const DEFAULT_WAIT_TIMEOUT_MS = 1000;

export function readRedisConfig(env: Env): RedisConfig {
  const url = requireString(env, 'REDIS_URL').trim();
  const endpoint = parseRedisUrl(url);
  const sentinelCredentials = readSentinelCredentials(env, endpoint);
  return {
    target: {
      endpoint,
      tls: readTlsFiles(env, endpoint),
      ...(sentinelCredentials ? { sentinelCredentials } : {}),
    },
    maskedUrl: maskUrlCredentials(url),
    timeoutMs: positiveInteger(env, 'STATE_BACKEND_TIMEOUT_MS', DEFAULT_TIMEOUT_MS),
    timeoutPerMibMs: optionalInteger(env, 'REDIS_TIMEOUT_PER_MIB_MS', DEFAULT_TIMEOUT_PER_MIB_MS),
    reconnectMaxDelayMs: positiveInteger(env, 'REDIS_RECONNECT_MAX_DELAY_MS', DEFAULT_RECONNECT_MAX_DELAY_MS),
    waitReplicas: optionalInteger(env, 'STATE_REDIS_WAIT_REPLICAS', 0),
    waitTimeoutMs: positiveInteger(env, 'STATE_REDIS_WAIT_TIMEOUT_MS', DEFAULT_WAIT_TIMEOUT_MS),
  };
}

const TLS_FILES = {
  ca: 'REDIS_TLS_CA_FILE',
  cert: 'REDIS_TLS_CERT_FILE',
  key: 'REDIS_TLS_KEY_FILE',
} as const;

/** The TLS files, read once at start-up: a missing or unreadable one stops the process. */
function readTlsFiles(env: Env, endpoint: RedisEndpoint): TlsFiles {
  const files: TlsFiles = {};
  for (const [part, name] of Object.entries(TLS_FILES) as [keyof TlsFiles, string][]) {
    const path = optionalString(env, name, '');
    if (path === '') continue;
    if (!endpoint.tls) {
      throw new ConfigError(
        `${name} is set, but REDIS_URL does not use TLS (rediss://, rediss-sentinel://, rediss-cluster://)`,
      );
    }
    try {
      files[part] = readFileSync(path);
    } catch (error) {
      throw new ConfigError(
        `${name} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? error})`,
      );
    }
  }
  if ((files.cert === undefined) !== (files.key === undefined)) {
    throw new ConfigError('REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE go together: set both or neither');
  }
  return files;
}

function readSentinelCredentials(env: Env, endpoint: RedisEndpoint): Credentials | undefined {
  const username = optionalString(env, 'REDIS_SENTINEL_USERNAME', '');
  const password = env.REDIS_SENTINEL_PASSWORD;
  if (username === '' && password === undefined) return undefined;
  if (endpoint.kind !== 'sentinel') {
    throw new ConfigError(
      'REDIS_SENTINEL_USERNAME / REDIS_SENTINEL_PASSWORD are set, but REDIS_URL is not redis-sentinel://',
    );
  }
  // Set, even empty: the sentinels take these, not the master's (empty: no AUTH at all).
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}
