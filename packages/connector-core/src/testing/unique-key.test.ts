import { describe, expect, it } from 'vitest';
import { uniqueKey, uniquePrefix } from './unique-key.js';

describe('unique names', () => {
  it('uniquePrefix: one path segment, named, different on each call', () => {
    const prefixes = new Set(Array.from({ length: 100 }, () => uniquePrefix('files')));
    expect(prefixes.size).toBe(100);
    for (const prefix of prefixes) expect(prefix).toMatch(/^files-[0-9a-f]{8}$/);
    expect(uniquePrefix()).toMatch(/^test-[0-9a-f]{8}$/);
  });

  it('uniqueKey: a key of its own directory, different on each call', () => {
    const [a, b] = [uniqueKey('k'), uniqueKey('k')];
    expect(a).not.toBe(b);
    expect(a).toMatch(/^t\d+-[0-9a-f]{6}\/k$/);
  });
});
