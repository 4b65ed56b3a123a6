import { describe, expect, it } from 'vitest';
import { conditionParams, unquoteEtag } from './etags.js';

describe('ETags', () => {
  it('strips quotes and weak markers; empty means unknown (RadosGW multipart completion)', () => {
    expect(unquoteEtag('"abc"')).toBe('abc');
    expect(unquoteEtag('W/"abc"')).toBe('abc');
    expect(unquoteEtag('abc-3')).toBe('abc-3');
    expect(unquoteEtag('""')).toBeUndefined();
    expect(unquoteEtag('')).toBeUndefined();
    expect(unquoteEtag(undefined)).toBeUndefined();
  });

  it('maps conditions to S3 headers in the configured If-Match format', () => {
    expect(conditionParams(undefined, 'unquoted')).toEqual({});
    expect(conditionParams({ kind: 'absent' }, 'unquoted')).toEqual({ IfNoneMatch: '*' });
    expect(conditionParams({ kind: 'match', etag: 'abc' }, 'unquoted')).toEqual({ IfMatch: 'abc' });
    expect(conditionParams({ kind: 'match', etag: 'abc' }, 'quoted')).toEqual({ IfMatch: '"abc"' });
  });
});
