/**
 * Typed errors with stable codes. Anything on the request path may throw one of these; the HTTP
 * error handler turns it into `{"error": code, "message": text}` with the status from STATUS_BY_CODE,
 * the one table that maps errors to HTTP.
 */

export const STATUS_BY_CODE = {
  bad_request: 400,
  unsupported_attribute: 400,
  permission_denied: 403,
  key_not_found: 404,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  too_large: 413,
  expectation_failed: 417,
  internal_error: 500,
  unavailable: 503,
  timeout: 504,
} as const;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

export class ConnectorError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
}

export class BadRequestError extends ConnectorError {
  constructor(message: string) {
    super('bad_request', message);
  }
}

export class UnsupportedAttributeError extends ConnectorError {
  constructor(attribute: string) {
    super('unsupported_attribute', `unsupported attribute: ${attribute}`);
  }
}

export class PermissionDeniedError extends ConnectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('permission_denied', message, options);
  }
}

export class KeyNotFoundError extends ConnectorError {
  constructor(key: string) {
    super('key_not_found', `key not found: ${key}`);
  }
}

export class NotFoundError extends ConnectorError {
  constructor(path: string) {
    super('not_found', `no such route: ${path}`);
  }
}

export class MethodNotAllowedError extends ConnectorError {
  constructor(method: string, path: string) {
    super('method_not_allowed', `method ${method} not allowed on ${path}`);
  }
}

export class ExpectationFailedError extends ConnectorError {
  constructor(expectation: string) {
    super('expectation_failed', `Expect: ${expectation} is not supported (only 100-continue is)`);
  }
}

export class RequestTimeoutError extends ConnectorError {
  constructor(ms: number, part: 'body' | 'whole body' | 'headers' = 'body') {
    super(
      'request_timeout',
      part === 'body'
        ? `the client sent nothing of the body for ${ms} ms: request abandoned, nothing written`
        : part === 'whole body'
          ? `the client did not send the whole body within ${ms} ms: request abandoned, nothing written`
          : `the request's headers did not arrive within ${ms} ms`,
    );
  }
}

export class ConflictError extends ConnectorError {
  constructor(key: string, reason = 'the key changed since it was read') {
    super('conflict', `conflict on ${key}: ${reason}`);
  }
}

export class TooLargeError extends ConnectorError {
  constructor(limit: number) {
    super('too_large', `body exceeds the limit of ${limit} bytes`);
  }
}

export class UnavailableError extends ConnectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
  }
}

export class TimeoutError extends ConnectorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('timeout', message, options);
  }
}

/**
 * Socket-level error codes that mean "the backend is not there": gone, refused, unreachable or not
 * resolvable. Every connector's error translation starts from this list; here it is also the
 * safety net, so that an outage a connector forgot to translate still answers 503, never 500.
 */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTCONN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Whether `code` (an error's `code`) is a socket failure of an unreachable backend. */
export function isNetworkErrorCode(code: unknown): boolean {
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code);
}

/** Any other error that is not a ConnectorError is a bug: internal_error (logged with a stack). */
export function toConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ETIMEDOUT') return new TimeoutError('backend timed out', { cause: error });
  if (isNetworkErrorCode(code)) {
    return new UnavailableError(`backend unavailable (${code})`, { cause: error });
  }
  return new ConnectorError('internal_error', 'internal error', { cause: error });
}

/**
 * What an errno from the file system means (a connector over files: a local disk, a mounted
 * volume, NFS). A volume full, over quota or read-only, a stale NFS handle, an I/O error, too
 * many open files or a busy resource: the backend cannot serve now, 503 (as Redis's OOM and
 * READONLY are). A refused permission: 403. ETIMEDOUT: 504. A name too long: 400.
 */
const ERRNO_CODES: Readonly<Record<string, 'unavailable' | 'permission_denied' | 'timeout' | 'bad_request'>> =
  {
    ENOSPC: 'unavailable',
    EDQUOT: 'unavailable',
    EROFS: 'unavailable',
    ESTALE: 'unavailable',
    EIO: 'unavailable',
    EMFILE: 'unavailable',
    ENFILE: 'unavailable',
    EAGAIN: 'unavailable',
    EBUSY: 'unavailable',
    EACCES: 'permission_denied',
    EPERM: 'permission_denied',
    ETIMEDOUT: 'timeout',
    ENAMETOOLONG: 'bad_request',
  };

/**
 * A failed file system call as the typed error its errno means (ERRNO_CODES; socket codes as
 * isNetworkErrorCode: 503), for `catch (error) { throw errnoError(error) }`. Anything else comes
 * back as it is: codes whose meaning depends on the call (ENOENT, EEXIST, ENOTDIR, EISDIR) are
 * the connector's to map before it, and an unknown one stays a bug (500).
 */
export function errnoError(error: unknown): unknown {
  if (error instanceof ConnectorError) return error;
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  if (typeof code !== 'string') return error;
  const what = `the backend's file system refused ${typeof syscall === 'string' ? syscall : 'a call'} (${code})`;
  const cause = { cause: error };
  switch (ERRNO_CODES[code] ?? (isNetworkErrorCode(code) ? 'unavailable' : undefined)) {
    case 'unavailable':
      return new UnavailableError(what, cause);
    case 'permission_denied':
      return new PermissionDeniedError(what, cause);
    case 'timeout':
      return new TimeoutError(what, cause);
    case 'bad_request':
      return new BadRequestError(`${what}: the key is too long for it`);
    default:
      return error;
  }
}
