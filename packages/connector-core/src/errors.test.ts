import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BadRequestError,
  ConflictError,
  errnoError,
  PermissionDeniedError,
  STATUS_BY_CODE,
  TimeoutError,
  toConnectorError,
  UnavailableError,
} from './errors.js';

describe('toConnectorError', () => {
  it('keeps typed errors', () => {
    const conflict = new ConflictError('k');
    expect(toConnectorError(conflict)).toBe(conflict);
    expect(conflict.status).toBe(409);
  });

  it('turns socket-level failures into unavailable or timeout, never internal_error', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const timedOut = Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
    expect(toConnectorError(refused).code).toBe('unavailable');
    expect(toConnectorError(timedOut).code).toBe('timeout');
  });

  it('treats anything else as a bug', () => {
    expect(toConnectorError(new TypeError('oops')).code).toBe('internal_error');
    expect(toConnectorError('a string').status).toBe(500);
  });

  it('maps every code to its documented status', () => {
    expect(STATUS_BY_CODE).toEqual({
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
    });
  });
});

describe('errnoError', () => {
  const failed = (code: string, syscall = 'open') =>
    Object.assign(new Error(`${code}: ${syscall} '/data/k'`), { code, syscall, path: '/data/k' });

  it('maps a full, read-only or stale volume and other outages to 503, with the call and the code', () => {
    for (const code of [
      'ENOSPC',
      'EDQUOT',
      'EROFS',
      'ESTALE',
      'EIO',
      'EMFILE',
      'ENFILE',
      'EAGAIN',
      'EBUSY',
    ]) {
      const error = failed(code, 'write');
      const mapped = errnoError(error);
      expect(mapped).toBeInstanceOf(UnavailableError);
      expect(mapped).toMatchObject({ status: 503, cause: error });
      expect((mapped as Error).message).toBe(`the backend's file system refused write (${code})`);
    }
    expect(errnoError(failed('ECONNRESET'))).toBeInstanceOf(UnavailableError);
  });

  it('maps a refused permission to 403, ETIMEDOUT to 504, a name too long to 400', async () => {
    expect(errnoError(failed('EACCES'))).toBeInstanceOf(PermissionDeniedError);
    expect(errnoError(failed('EPERM'))).toBeInstanceOf(PermissionDeniedError);
    expect(errnoError(failed('ETIMEDOUT'))).toBeInstanceOf(TimeoutError);
    const tooLong = await stat(join(tmpdir(), 'k'.repeat(300))).catch((error: unknown) => error);
    expect(errnoError(tooLong)).toBeInstanceOf(BadRequestError);
  });

  it('leaves the codes whose meaning depends on the call, unknown ones and typed errors as they are', async () => {
    const missing = await stat(join(tmpdir(), 'no-such-file-here')).catch((error: unknown) => error);
    expect((missing as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(errnoError(missing)).toBe(missing);
    for (const code of ['EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY', 'EINVAL']) {
      const error = failed(code);
      expect(errnoError(error)).toBe(error);
    }
    const conflict = new ConflictError('k');
    expect(errnoError(conflict)).toBe(conflict);
    expect(errnoError('a string')).toBe('a string');
    expect(errnoError(undefined)).toBe(undefined);
  });
});
