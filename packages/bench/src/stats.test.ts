import { describe, expect, it } from 'vitest';
import { median, quantile, ratio, summarize } from './stats.js';

describe('quantile', () => {
  it('interpolates between ranks', () => {
    expect(quantile([1, 2], 0.5)).toBe(1.5);
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([0, 10], 0.99)).toBeCloseTo(9.9);
  });

  it('clamps at the ends and is NaN when empty', () => {
    expect(quantile([3, 7], 0)).toBe(3);
    expect(quantile([3, 7], 1)).toBe(7);
    expect(quantile([5], 0.99)).toBe(5);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('p99 of 1..100 sits just below the maximum', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.99)).toBeCloseTo(99.01);
  });
});

describe('summarize', () => {
  it('sorts its input and computes rate, percentiles and mean', () => {
    const summary = summarize([4, 1, 3, 2], 2, 1);
    expect(summary).toMatchObject({ ops: 4, errors: 1, seconds: 2, opsPerSec: 2, p50Ms: 2.5, meanMs: 2.5 });
    expect(summary.p99Ms).toBeCloseTo(3.97);
  });

  it('handles an empty window', () => {
    expect(summarize([], 0).opsPerSec).toBe(0);
  });
});

describe('median and ratio', () => {
  it('median does not reorder its input', () => {
    const values = [30, 10, 20];
    expect(median(values)).toBe(20);
    expect(values).toEqual([30, 10, 20]);
  });

  it('ratio is undefined without a direct figure', () => {
    expect(ratio(50, 100)).toBe(0.5);
    expect(ratio(50, 0)).toBeUndefined();
    expect(ratio(50, undefined)).toBeUndefined();
  });
});
