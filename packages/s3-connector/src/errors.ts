/**
 * Translation of AWS SDK and network failures into the core's typed errors, in one place
 * (docs/errors.md#backend-failures: backend outages are 503/504, never 500).
 */
import {
  BadRequestError,
  ConflictError,
  ConnectorError,
  isNetworkErrorCode,
  KeyNotFoundError,
  PermissionDeniedError,
  TimeoutError,
  TooLargeError,
  UnavailableError,
} from '@state-proxy/connector-core';

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Beyond core's socket codes: the SDK's HTTP transport reporting a connection that broke. */
const TRANSPORT_FAILURE_CODES = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);
const NOT_FOUND_NAMES = new Set(['NoSuchKey', 'NotFound']);
// ExpiredToken / InvalidToken: temporary credentials (STS, IRSA) that expired or are malformed;
// S3 answers them 400, but they are a refusal of our credentials, not a bad request.
const DENIED_NAMES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'Forbidden',
  'ExpiredToken',
  'InvalidToken',
  'TokenRefreshRequired',
]);
/** What to check, by error code, when the server's own message says nothing (RadosGW sends none). */
const DENIED_HINTS: Record<string, string> = {
  AccessDenied: 'these credentials lack a permission (IAM or bucket policy)',
  InvalidAccessKeyId: 'the server knows no such access key',
  SignatureDoesNotMatch: 'the secret key does not match the access key',
  ExpiredToken: 'the session token has expired: the credentials must be refreshed',
  InvalidToken: 'the session token is malformed or invalid',
  TokenRefreshRequired: 'the session token must be refreshed',
};
/**
 * Names the SDK gives an error whose answer had no body to name it (HEAD answers never have one):
 * a placeholder, or the status itself.
 */
const PLACEHOLDER_NAMES = new Set(['', 'Unknown', 'UnknownError', 'Forbidden', '403']);
/** The SDK's message when the answer carried none. */
const PLACEHOLDER_MESSAGE = 'UnknownError';
const PRECONDITION_NAMES = new Set(['PreconditionFailed', 'ConditionalRequestConflict']);
const THROTTLE_NAMES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded']);

function fields(error: unknown): SdkLikeError {
  return typeof error === 'object' && error !== null ? (error as SdkLikeError) : {};
}

export function httpStatusOf(error: unknown): number | undefined {
  return fields(error).$metadata?.httpStatusCode;
}

function errorName(error: unknown): string {
  const e = fields(error);
  return e.Code ?? e.name ?? '';
}

/** NoSuchKey (GET), NotFound (HEAD), or a bare 404 that is not about the bucket. */
export function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  if (name === 'NoSuchBucket') return false;
  return NOT_FOUND_NAMES.has(name) || httpStatusOf(error) === 404;
}

/** The write's condition did not hold: 412, or AWS's 409 ConditionalRequestConflict. */
export function isPreconditionFailure(error: unknown): boolean {
  const status = httpStatusOf(error);
  return PRECONDITION_NAMES.has(errorName(error)) || status === 412 || status === 409;
}

/** A 403 that does not say why: an answer without a body, such as any HEAD's. */
export function isUnexplainedDenial(error: unknown): boolean {
  return httpStatusOf(error) === 403 && PLACEHOLDER_NAMES.has(errorName(error));
}

function deniedMessage(error: unknown): string {
  if (isUnexplainedDenial(error)) {
    return 'S3 denied access (403 without an error code: HEAD answers have no body): check the credentials and their permissions';
  }
  const name = errorName(error);
  const message = fields(error).message;
  const said = message && message !== PLACEHOLDER_MESSAGE && message !== name ? message : DENIED_HINTS[name];
  return `S3 denied access (${name})${said ? `: ${said}` : ''}`;
}

/** The failure says nothing about whether the write happened: 5xx, network, timeout. */
export function isAmbiguous(error: unknown): boolean {
  const translated = translateS3Error(error, '');
  return translated instanceof UnavailableError || translated instanceof TimeoutError;
}

/**
 * Maps any failure of an S3 call on `key` to a ConnectorError. Conditional writes handle
 * 404/412/409 themselves (conditions.ts) before falling back here.
 */
export function translateS3Error(error: unknown, key: string): ConnectorError {
  if (error instanceof ConnectorError) return error; // e.g. TooLargeError from the body stream
  const e = fields(error);
  const name = errorName(error);
  const status = httpStatusOf(error);
  const detail = `${name || 'Error'}: ${e.message ?? String(error)}`;

  // Network codes first: the SDK renames ECONNRESET/EPIPE to TimeoutError.
  if (isNetworkErrorCode(e.code) || (e.code !== undefined && TRANSPORT_FAILURE_CODES.has(e.code))) {
    return new UnavailableError(`S3 unreachable (${e.code}): ${e.message ?? ''}`, { cause: error });
  }
  if (name === 'TimeoutError' || e.code === 'ETIMEDOUT' || name === 'RequestTimeout') {
    return new TimeoutError(`S3 did not answer in time: ${e.message ?? ''}`, { cause: error });
  }
  if (name === 'NoSuchBucket') {
    return new UnavailableError(`S3 bucket does not exist: ${e.message ?? ''}`, { cause: error });
  }
  if (isNotFound(error)) return new KeyNotFoundError(key);
  if (DENIED_NAMES.has(name) || status === 403) {
    return new PermissionDeniedError(deniedMessage(error), { cause: error });
  }
  if (PRECONDITION_NAMES.has(name) || status === 412) return new ConflictError(key);
  if (THROTTLE_NAMES.has(name) || (status !== undefined && status >= 500)) {
    return new UnavailableError(`S3 unavailable: ${detail}`, { cause: error });
  }
  if (name === 'EntityTooLarge') return new TooLargeError(5 * 1024 ** 3);
  if (name === 'KeyTooLongError') return new BadRequestError('key is too long for S3 with this prefix');
  if (name === 'CredentialsProviderError') {
    return new UnavailableError(`no usable AWS credentials: ${e.message ?? ''}`, { cause: error });
  }
  if (status === undefined && e.code !== undefined && e.code.startsWith('E')) {
    // Another socket-level failure (no HTTP answer at all).
    return new UnavailableError(`S3 unreachable (${e.code}): ${e.message ?? ''}`, { cause: error });
  }
  return new ConnectorError('internal_error', `S3 request failed: ${detail}`, { cause: error });
}
