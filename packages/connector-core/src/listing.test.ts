import { describe, expect, it } from 'vitest';
import { UnavailableError } from './errors.js';
import { groupByDelimiter, ListingBuilder, ListingMemory, ListingTooLargeError } from './listing.js';
import { MemoryBudget } from './memory-budget.js';

describe('groupByDelimiter', () => {
  const keys = ['d/a', 'd/b', 'd/s/c', 'd/s/e', 'd/t/f', 'e/x', 'd'];

  it('splits direct keys from pseudo-directories, de-duplicated and sorted', () => {
    expect(groupByDelimiter(keys, { prefix: 'd/', delimiter: '/' })).toEqual({
      keys: ['d/a', 'd/b'],
      prefixes: ['d/s/', 'd/t/'],
    });
  });

  it('an empty delimiter lists recursively', () => {
    expect(groupByDelimiter(keys, { prefix: 'd/', delimiter: '' })).toEqual({
      keys: ['d/a', 'd/b', 'd/s/c', 'd/s/e', 'd/t/f'],
      prefixes: [],
    });
  });

  it('a prefix that is not a directory matches by string', () => {
    expect(groupByDelimiter(keys, { prefix: 'd', delimiter: '/' })).toEqual({
      keys: ['d'],
      prefixes: ['d/'],
    });
  });
});

describe('ListingBuilder', () => {
  it('holds one entry per pseudo-directory, however many keys fall in it', () => {
    const budget = new MemoryBudget(1024 * 1024, 0);
    const memory = new ListingMemory(budget, '');
    const listing = new ListingBuilder({ prefix: '', delimiter: '/', memory });
    for (let i = 0; i < 100_000; i++) listing.addKey(`big/${i}`.padEnd(400, 'x'));
    listing.addKey('top');
    expect(listing.size).toBe(2);
    expect(listing.result()).toEqual({ keys: ['top'], prefixes: ['big/'] });
    expect(budget.availableBytes).toBe(budget.totalBytes); // two entries: within the free share
  });

  it('takes what it holds from the memory budget and gives it back on release', () => {
    const budget = new MemoryBudget(1024 * 1024, 0);
    const memory = new ListingMemory(budget, '');
    const listing = new ListingBuilder({ prefix: '', delimiter: '', memory });
    for (let i = 0; i < 1000; i++) listing.addKey(`${i}`.padEnd(200, 'x'));
    expect(budget.availableBytes).toBeLessThan(budget.totalBytes - 1000 * 400 + 16 * 1024);
    memory.release();
    expect(budget.availableBytes).toBe(budget.totalBytes);
  });

  it('refuses a listing larger than the whole budget with 413', () => {
    const budget = new MemoryBudget(1024 * 1024, 0);
    const memory = new ListingMemory(budget, 'p/');
    const listing = new ListingBuilder({ prefix: 'p/', delimiter: '', memory });
    const add = () => {
      for (let i = 0; i < 10_000; i++) listing.addKey(`p/${i}`.padEnd(1000, 'x'));
    };
    expect(add).toThrow(ListingTooLargeError);
    expect(add).toThrow(/listing of 'p\/'.*STATE_MEMORY_BUDGET_BYTES/);
    memory.release();
    expect(budget.availableBytes).toBe(budget.totalBytes);
  });

  it('answers 503 while the budget is held by others', async () => {
    const budget = new MemoryBudget(1024 * 1024, 0);
    const held = budget.tryReserve(budget.totalBytes)!;
    const listing = new ListingBuilder({ prefix: '', delimiter: '', memory: new ListingMemory(budget, '') });
    expect(() => {
      for (let i = 0; i < 1000; i++) listing.addKey(`${i}`.padEnd(100, 'x'));
    }).toThrow(UnavailableError);
    held.release();
  });

  it('is full once the limit is reached', () => {
    const listing = new ListingBuilder({ prefix: 'd/', delimiter: '/', limit: 1 });
    expect(listing.full).toBe(false);
    listing.addKey('d/s/x');
    listing.addKey('d/s/y');
    expect(listing.size).toBe(1);
    expect(listing.full).toBe(true);
  });
});
