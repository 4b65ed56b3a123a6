/**
 * Reading settings from the environment. A missing or invalid setting is a ConfigError whose
 * message is the one line the process prints before exiting with code 1 (see run.ts).
 */
import { defaultMemoryBudget, MIN_MEMORY_BUDGET_BYTES } from './memory-budget.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

const DEFAULT_SPOOL_MEMORY_BYTES = 4 * MiB;
const DEFAULT_MEMORY_WAIT_MS = 10_000;
/** ~6 000 keys of 100 bytes, ~1 600 of 1 KiB: far more than the read-to-write spans of one pod. */
const DEFAULT_CAS_MEMORY_BYTES = 2 * MiB;

export function requireString(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '')
    throw new ConfigError(`${name} environment variable is required`);
  return value;
}

export function optionalString(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** A non-negative integer setting; `fallback` when unset. */
export function optionalInteger(env: Env, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value.trim()))
    throw new ConfigError(`${name} must be a non-negative integer, got '${value}'`);
  return Number(value.trim());
}

/** A positive integer setting (a timeout, a count); `fallback` when unset. Zero is refused. */
export function positiveInteger(env: Env, name: string, fallback: number): number {
  const value = optionalInteger(env, name, fallback);
  if (value <= 0) throw new ConfigError(`${name} must be a positive integer, got '${env[name]}'`);
  return value;
}

/** An integer limit (bytes, milliseconds) where unset means `fallback` and `0` or `none` means no limit. */
export function optionalLimit(env: Env, name: string, fallback: number | undefined): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value.trim().toLowerCase() === 'none') return undefined;
  const limit = optionalInteger(env, name, 0);
  return limit === 0 ? undefined : limit;
}

/**
 * A URL's credentials, found without parsing it: everything between the scheme's `://` (or the
 * start, when there is none) and the LAST `@`. A URL parser ends the credentials at the first
 * `/`, `?` or `#` instead, so a password holding one would be taken for a host, port or path and
 * printed unmasked; taking the last `@` never shows less than the credentials.
 */
function splitCredentials(raw: string): { scheme: string; credentials: string; rest: string } | undefined {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(raw)?.[0] ?? '';
  const at = raw.lastIndexOf('@');
  if (at < scheme.length) return undefined;
  return { scheme, credentials: raw.slice(scheme.length, at), rest: raw.slice(at) };
}

/**
 * Whether a URL parser would misread these credentials: it ends the authority at a `/`, `?` or `#`
 * (and at a `\` in http and https URLs), and cannot decode a `%` that is no escape.
 */
function misread(scheme: string, credentials: string): boolean {
  const authorityEnd = /^https?:/i.test(scheme) ? /[/?#\\]/ : /[/?#]/;
  return authorityEnd.test(credentials) || /%(?![0-9A-Fa-f]{2})/.test(credentials);
}

/**
 * The URL for logs and errors: the password as `***` (`user:***@`), or a lone user name, which
 * may be a token, as `***@`. Correct for any text, a valid URL or not.
 */
export function maskUrlCredentials(raw: string): string {
  const parts = splitCredentials(raw);
  if (!parts || parts.credentials === '') return raw;
  const colon = parts.credentials.indexOf(':');
  const user = colon === -1 ? '' : parts.credentials.slice(0, colon);
  // A user name a parser would misread may be part of the password: masked with it.
  const masked = colon === -1 || misread(parts.scheme, user) ? '***' : `${user}:***`;
  return `${parts.scheme}${masked}${parts.rest}`;
}

/**
 * Refuses a URL (the setting `name`) whose credentials a URL parser would misread: it would take
 * part of the password for the host (and resolve it, and print it), the port or the path. Call it
 * before anything parses the URL.
 */
export function checkUrlCredentials(name: string, raw: string): void {
  const parts = splitCredentials(raw);
  if (parts && misread(parts.scheme, parts.credentials)) {
    throw new ConfigError(
      `${name} has credentials a URL parser would misread (percent-encode a '/', '?', '#', '@' or '%' in the user name or password, e.g. '/' as %2F): '${maskUrlCredentials(raw)}'`,
    );
  }
}

/** How long a client may send nothing in the middle of a body before it is answered 408. */
const DEFAULT_BODY_IDLE_TIMEOUT_MS = 30_000;
/**
 * How long a whole body may take before it is answered 408: ends a client that trickles a byte
 * now and then, never silent for the idle timeout. An hour lets the largest default body (5 GiB)
 * arrive at 1.5 MB/s.
 */
const DEFAULT_BODY_TIMEOUT_MS = 3_600_000;
/** How long a client may take to send a request's headers before it is answered 408. */
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/**
 * Requests handled at once; more are answered 503 at once. Each one in flight holds tens of KiB of
 * heap (sockets, parsers, request objects, promises): the bound keeps enough clients at once from
 * exhausting a heap capped for a small container.
 */
const DEFAULT_MAX_REQUESTS = 256;
/** Readable and writable by every user of the pod: the runtime runs as another one. */
const DEFAULT_SOCKET_MODE = 0o666;

/** Below the 1 s a Kubernetes probe waits by default, so the probe sees our 503, not its own timeout. */
const DEFAULT_READY_TIMEOUT_MS = 800;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every connector shares (the root README: Configuration). */
export interface CoreConfig {
  socketPath: string;
  /** File mode of the socket, so other users of the pod can connect. */
  socketMode: number;
  prefix: string;
  logLevel: LogLevel;
  /** How long SIGTERM waits for in-flight requests before closing them. */
  shutdownGraceMs: number;
  /** How long /readyz waits for the backend before it answers 503. */
  readyTimeoutMs: number;
  /** A client silent this long mid-body is answered 408; nothing is written. */
  bodyIdleTimeoutMs: number;
  /** A body not whole this long after its reading started is answered 408; 0: no deadline. */
  bodyTimeoutMs: number;
  /** A client that has not sent its request's headers after this long is answered 408. */
  headersTimeoutMs: number;
  /** Largest accepted body; undefined: no limit. */
  maxBodyBytes: number | undefined;
  /** Bodies up to this size are buffered in memory (budget permitting); larger ones spill to a temp file. */
  spoolMemoryBytes: number;
  /** Body bytes all requests together may hold in memory (see memory-budget.ts). */
  memoryBudgetBytes: number;
  /** How long a request waits for its share of that budget before it is answered 503. */
  memoryWaitMs: number;
  spoolDir: string | undefined;
  /** Heap bytes the CAS memory may hold (LRU), keys and versions counted. */
  casMemoryBytes: number;
  /** Requests handled at once; those beyond are answered 503 unavailable. */
  maxRequests: number;
}

export function readCoreConfig(env: Env, defaults: { maxBodyBytes: number | undefined }): CoreConfig {
  const logLevel = optionalString(env, 'LOG_LEVEL', 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }
  const mode = optionalString(env, 'CONNECTOR_SOCKET_MODE', DEFAULT_SOCKET_MODE.toString(8));
  if (!/^0?[0-7]{3}$/.test(mode))
    throw new ConfigError(`CONNECTOR_SOCKET_MODE must be octal like 0666, got '${mode}'`);
  return {
    socketPath: requireString(env, 'CONNECTOR_SOCKET'),
    socketMode: Number.parseInt(mode, 8),
    prefix: optionalString(env, 'STATE_PREFIX', ''),
    logLevel: logLevel as LogLevel,
    shutdownGraceMs: optionalInteger(env, 'CONNECTOR_SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS),
    readyTimeoutMs: Math.max(1, optionalInteger(env, 'CONNECTOR_READY_TIMEOUT_MS', DEFAULT_READY_TIMEOUT_MS)),
    bodyIdleTimeoutMs: positiveInteger(env, 'CONNECTOR_BODY_IDLE_TIMEOUT_MS', DEFAULT_BODY_IDLE_TIMEOUT_MS),
    bodyTimeoutMs: optionalLimit(env, 'CONNECTOR_BODY_TIMEOUT_MS', DEFAULT_BODY_TIMEOUT_MS) ?? 0,
    headersTimeoutMs: positiveInteger(env, 'CONNECTOR_HEADERS_TIMEOUT_MS', DEFAULT_HEADERS_TIMEOUT_MS),
    maxBodyBytes: optionalLimit(env, 'STATE_MAX_BODY_BYTES', defaults.maxBodyBytes),
    spoolMemoryBytes: optionalInteger(env, 'STATE_SPOOL_MEMORY_BYTES', DEFAULT_SPOOL_MEMORY_BYTES),
    memoryBudgetBytes: Math.max(
      MIN_MEMORY_BUDGET_BYTES,
      optionalInteger(env, 'STATE_MEMORY_BUDGET_BYTES', defaultMemoryBudget()),
    ),
    memoryWaitMs: optionalInteger(env, 'STATE_MEMORY_WAIT_MS', DEFAULT_MEMORY_WAIT_MS),
    spoolDir: env.STATE_SPOOL_DIR || undefined,
    casMemoryBytes: positiveInteger(env, 'STATE_CAS_MEMORY_BYTES', DEFAULT_CAS_MEMORY_BYTES),
    maxRequests: positiveInteger(env, 'STATE_MAX_REQUESTS', DEFAULT_MAX_REQUESTS),
  };
}

/**
 * `settings` over the defaults: what readCoreConfig reads from an environment that sets only the
 * socket (an unset `maxBodyBytes` is no limit). An undefined value keeps its default.
 */
export function coreConfigWith(settings: Partial<CoreConfig> & { socketPath: string }): CoreConfig {
  const config = readCoreConfig({ CONNECTOR_SOCKET: settings.socketPath }, { maxBodyBytes: undefined });
  const given = Object.entries(settings).filter(([, value]) => value !== undefined);
  return { ...config, ...Object.fromEntries(given) };
}
