import { describe, expect, it } from 'vitest';
import { quoteETag, unquoteETag } from './etags.js';

describe('ETag quoting', () => {
  it('quotes for the header and accepts quoted, weak and bare tags back', () => {
    expect(quoteETag('abc')).toBe('"abc"');
    expect(unquoteETag('"abc"')).toBe('abc');
    expect(unquoteETag('W/"abc"')).toBe('abc');
    expect(unquoteETag(' abc ')).toBe('abc');
  });
});
