import { describe, expect, it } from 'vitest';
import { contentEtag, quoteETag, unquoteETag } from './etags.js';

describe('ETag quoting', () => {
  it('quotes for the header and accepts quoted, weak and bare tags back', () => {
    expect(quoteETag('abc')).toBe('"abc"');
    expect(unquoteETag('"abc"')).toBe('abc');
    expect(unquoteETag('W/"abc"')).toBe('abc');
    expect(unquoteETag(' abc ')).toBe('abc');
  });
});

describe('contentEtag', () => {
  it('is the lowercase hex SHA-1 of the bytes', () => {
    expect(contentEtag(Buffer.from('abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
});
