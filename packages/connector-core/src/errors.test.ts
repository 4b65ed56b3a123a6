import { describe, expect, it } from 'vitest';
import { ConflictError, STATUS_BY_CODE, toConnectorError } from './errors.js';

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
