/**
 * S3 settings from the environment (this package's README: Environment).
 * A missing or invalid setting is a core ConfigError: one line, exit code 1.
 */
import {
  ConfigError,
  checkUrlCredentials,
  type Env,
  MiB,
  maskUrlCredentials,
  optionalInteger,
  optionalString,
  positiveInteger,
  requireString,
} from '@state-proxy/connector-core';

/**
 * How an ETag is written into `If-Match`. RadosGW and DigitalOcean Spaces match only the bare
 * value, MinIO accepts both, AWS accepts the bare value too; `quoted` (RFC 7232 form) is for
 * servers that insist on it.
 */
export type IfMatchFormat = 'unquoted' | 'quoted';

export interface S3Settings {
  bucket: string;
  region: string;
  /** Custom endpoint (MinIO, RadosGW, ...): path-style addressing when set. */
  endpoint: string | undefined;
  /** Key namespace with trailing slashes trimmed (from STATE_PREFIX). */
  prefix: string;
  presignTtlSeconds: number;
  /** Connection and socket-idle timeout of every backend request (not a whole-transfer limit). */
  timeoutMs: number;
  /** SDK attempts per request (1 = no retry). Streaming bodies are never retried. */
  maxAttempts: number;
  ifMatchFormat: IfMatchFormat;
  /** Multipart part size of streaming writes; memory is bounded by partSize x (queueSize + 2). */
  partSizeBytes: number;
  queueSize: number;
  /** Keep-alive sockets per client (concurrency towards S3). */
  maxSockets: number;
}

const MIN_PART_SIZE = 5 * MiB;

export function readS3Settings(env: Env, prefix: string): S3Settings {
  const ifMatchFormat = optionalString(env, 'S3_IF_MATCH_FORMAT', 'unquoted').toLowerCase();
  if (ifMatchFormat !== 'unquoted' && ifMatchFormat !== 'quoted') {
    throw new ConfigError(`S3_IF_MATCH_FORMAT must be 'unquoted' or 'quoted', got '${ifMatchFormat}'`);
  }
  const partSizeBytes = optionalInteger(env, 'STATE_PART_SIZE_BYTES', 8 * MiB);
  if (partSizeBytes < MIN_PART_SIZE) {
    throw new ConfigError(
      `STATE_PART_SIZE_BYTES must be at least ${MIN_PART_SIZE} (5 MiB), got ${partSizeBytes}`,
    );
  }
  const endpoint = optionalString(env, 'AWS_ENDPOINT_URL', '') || undefined;
  if (endpoint !== undefined) {
    // First: a URL parser would take part of such a password for the host, port or path.
    checkUrlCredentials('AWS_ENDPOINT_URL', endpoint);
    if (!/^https?:\/\/[^/]/.test(endpoint)) {
      throw new ConfigError(
        `AWS_ENDPOINT_URL must be an http:// or https:// URL, got '${maskUrlCredentials(endpoint)}'`,
      );
    }
  }
  return {
    bucket: requireString(env, 'STATE_BUCKET').trim(),
    region: optionalString(env, 'AWS_REGION', 'us-east-1'),
    endpoint,
    prefix: prefix.replace(/\/+$/, ''),
    presignTtlSeconds: positiveInteger(env, 'STATE_PRESIGN_TTL', 3600),
    timeoutMs: positiveInteger(env, 'STATE_BACKEND_TIMEOUT_MS', 30_000),
    maxAttempts: positiveInteger(env, 'STATE_BACKEND_MAX_ATTEMPTS', 3),
    ifMatchFormat,
    partSizeBytes,
    queueSize: positiveInteger(env, 'STATE_UPLOAD_QUEUE_SIZE', 2),
    maxSockets: positiveInteger(env, 'STATE_BACKEND_MAX_SOCKETS', 64),
  };
}

/** For the start-up log line: where the data goes, credentials masked should the endpoint URL carry any. */
export function describeBackend(settings: S3Settings): string {
  const where = settings.endpoint
    ? ` (endpoint ${maskUrlCredentials(settings.endpoint)})`
    : ` (region ${settings.region})`;
  return `s3://${settings.bucket}${settings.prefix ? `/${settings.prefix}` : ''}${where}`;
}
