import {
  ConflictError,
  KeyNotFoundError,
  PermissionDeniedError,
  TimeoutError,
  TooLargeError,
  UnavailableError,
} from '@state-proxy/connector-core';
import { describe, expect, it } from 'vitest';
import { conflictOf } from './conditions.js';
import { translateS3Error } from './errors.js';

// Error objects shaped like the AWS SDK's (name, $metadata) and Node's (code).
const s3 = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const net = (code: string, name = 'Error') => Object.assign(new Error(`connect ${code}`), { code, name });

describe('translateS3Error', () => {
  it.each([
    [s3('NoSuchKey', 404), KeyNotFoundError],
    [s3('NotFound', 404), KeyNotFoundError],
    [s3('UnknownError', 404), KeyNotFoundError],
    [s3('AccessDenied', 403), PermissionDeniedError],
    [s3('InvalidAccessKeyId', 403), PermissionDeniedError],
    [s3('ExpiredToken', 400), PermissionDeniedError],
    [s3('InvalidToken', 400), PermissionDeniedError],
    [s3('SlowDown', 503), UnavailableError],
    [s3('InternalError', 500), UnavailableError],
    [s3('ServiceUnavailable', 503), UnavailableError],
    [s3('NoSuchBucket', 404), UnavailableError],
    [s3('PreconditionFailed', 412), ConflictError],
    [s3('EntityTooLarge', 400), TooLargeError],
    [net('ECONNREFUSED'), UnavailableError],
    // The SDK renames ECONNRESET and EPIPE to TimeoutError: the code decides.
    [net('ECONNRESET', 'TimeoutError'), UnavailableError],
    [net('EPIPE', 'TimeoutError'), UnavailableError],
    [net('ETIMEDOUT', 'TimeoutError'), TimeoutError],
    [
      Object.assign(new Error('socket timed out after 500 ms of inactivity'), { name: 'TimeoutError' }),
      TimeoutError,
    ],
  ])('%s → %s', (error, expected) => {
    expect(translateS3Error(error, 'k')).toBeInstanceOf(expected);
  });

  it('a 403 says what S3 named, or that a body-less answer named nothing', () => {
    const message = (error: unknown) => translateS3Error(error, 'k').message;
    // RadosGW sends no <Message>: the SDK's placeholder says nothing, a hint does.
    const rgw = (name: string) => Object.assign(s3(name, 403), { message: 'UnknownError' });
    expect(message(rgw('InvalidAccessKeyId'))).toBe(
      'S3 denied access (InvalidAccessKeyId): the server knows no such access key',
    );
    expect(message(rgw('SignatureDoesNotMatch'))).toBe(
      'S3 denied access (SignatureDoesNotMatch): the secret key does not match the access key',
    );
    const aws = Object.assign(s3('AccessDenied', 403), { message: 'Access Denied' });
    expect(message(aws)).toBe('S3 denied access (AccessDenied): Access Denied');
    // A HEAD's 403: the SDK names it after a placeholder or the status.
    for (const name of ['Unknown', 'UnknownError', 'Forbidden', '403']) {
      const translated = translateS3Error(s3(name, 403), 'k');
      expect([name, translated.code]).toEqual([name, 'permission_denied']);
      expect(translated.message).toMatch(/^S3 denied access \(403 without an error code/);
    }
  });

  it('keeps a ConnectorError raised by the body stream (e.g. 413 from the size limit)', () => {
    const tooLarge = new TooLargeError(10);
    expect(translateS3Error(tooLarge, 'k')).toBe(tooLarge);
  });

  it('turns an unexplained 4xx into internal_error (a bug to look at, logged with a stack)', () => {
    expect(translateS3Error(s3('InvalidArgument', 400), 'k').code).toBe('internal_error');
  });
});

describe('conflictOf (race losers answering 500, If-Match on a missing key)', () => {
  const current = (etag: string | undefined) => async () => etag;

  it('412 and 409 ConditionalRequestConflict are conflicts', async () => {
    for (const error of [s3('PreconditionFailed', 412), s3('ConditionalRequestConflict', 409)]) {
      const result = await conflictOf(error, 'k', { kind: 'absent' }, current('x'));
      expect(result).toBeInstanceOf(ConflictError);
    }
  });

  it('If-Match on a missing key (AWS: 404 NoSuchKey) is a conflict, not 404', async () => {
    const result = await conflictOf(
      s3('NoSuchKey', 404),
      'k',
      { kind: 'match', etag: 'a' },
      current(undefined),
    );
    expect(result).toBeInstanceOf(ConflictError);
  });

  it('an ambiguous 500 is a conflict when the ETag moved, and stands (503) when it did not', async () => {
    const error = s3('InternalError', 500);
    const match = { kind: 'match', etag: 'a' } as const;
    expect(await conflictOf(error, 'k', match, current('b'))).toBeInstanceOf(ConflictError);
    expect(await conflictOf(error, 'k', match, current(undefined))).toBeInstanceOf(ConflictError);
    expect(await conflictOf(error, 'k', match, current('a'))).toBeUndefined(); // the 500 stands: 503
    const absent = { kind: 'absent' } as const;
    expect(await conflictOf(error, 'k', absent, current('b'))).toBeInstanceOf(ConflictError);
    expect(await conflictOf(error, 'k', absent, current(undefined))).toBeUndefined();
  });

  it('lets the outage stand when the re-read fails too', async () => {
    const failing = async () => {
      throw new UnavailableError('down');
    };
    expect(await conflictOf(net('ECONNRESET'), 'k', { kind: 'absent' }, failing)).toBeUndefined();
  });
});
