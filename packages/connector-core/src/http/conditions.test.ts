import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import { conditionFromHeaders } from './conditions.js';

describe('conditionFromHeaders', () => {
  it('maps If-None-Match: * and If-Match to write conditions', () => {
    expect(conditionFromHeaders({ ifNoneMatch: '*', ifMatch: undefined })).toEqual({ kind: 'absent' });
    expect(conditionFromHeaders({ ifNoneMatch: undefined, ifMatch: '"e1"' })).toEqual({
      kind: 'match',
      etag: 'e1',
    });
    expect(conditionFromHeaders({ ifNoneMatch: undefined, ifMatch: undefined })).toBeUndefined();
  });

  it.each([
    [{ ifNoneMatch: '"e1"', ifMatch: undefined }],
    [{ ifNoneMatch: '*', ifMatch: '"e1"' }],
    [{ ifNoneMatch: undefined, ifMatch: '*' }],
    [{ ifNoneMatch: undefined, ifMatch: '"a", "b"' }],
    [{ ifNoneMatch: undefined, ifMatch: '""' }],
  ])('rejects %j', (headers) => {
    expect(() => conditionFromHeaders(headers)).toThrow(BadRequestError);
  });
});
