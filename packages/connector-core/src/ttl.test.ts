import { describe, expect, it } from 'vitest';
import { BadRequestError } from './errors.js';
import { parseTtlSeconds } from './ttl.js';

describe('parseTtlSeconds', () => {
  it('reads whole seconds, zero and negative included', () => {
    expect(parseTtlSeconds(' 60 ')).toBe(60);
    expect(parseTtlSeconds('0')).toBe(0);
    expect(parseTtlSeconds('-1')).toBe(-1);
  });

  it('refuses fractions, words and numbers past the safe range, naming the value', () => {
    expect(() => parseTtlSeconds('1.5')).toThrow(
      new BadRequestError("ttl must be an integer number of seconds, got '1.5'"),
    );
    expect(() => parseTtlSeconds('soon')).toThrow(BadRequestError);
    expect(() => parseTtlSeconds('99999999999999999999')).toThrow(/out of range/);
  });
});
