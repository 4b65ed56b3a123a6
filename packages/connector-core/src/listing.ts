/**
 * Building a listing while the backend is scanned: keys are grouped into pseudo-directories as they
 * arrive, so a prefix over 100k keys holds one entry, not 100k; and what a listing holds is taken
 * from the memory budget, so a huge listing is refused (413) instead of exhausting the heap.
 */
import type { Listing, ListOptions } from './connector.js';
import { ConnectorError, UnavailableError } from './errors.js';
import { sortByBytes } from './keys.js';
import type { MemoryBudget, Reservation } from './memory-budget.js';

/**
 * What one entry costs besides the string itself (counted twice: the entry and its copy in the JSON
 * answer): its set slot, its slot in the sorted array and the string's header.
 */
const ENTRY_OVERHEAD_BYTES = 64;
/** Held without asking the budget, like a small body: most listings never ask it. */
const FREE_BYTES = 16 * 1024;
/** The budget is asked in steps of this, not per entry. */
const STEP_BYTES = 64 * 1024;

export class ListingTooLargeError extends ConnectorError {
  constructor(prefix: string, budgetBytes: number) {
    super(
      'too_large',
      `the listing of '${prefix}' needs more than the memory budget of ${budgetBytes} bytes ` +
        '(STATE_MEMORY_BUDGET_BYTES): list a narrower prefix, or with a delimiter',
    );
  }
}

/** The share of the memory budget one listing holds; the route gives it back once it has answered. */
export class ListingMemory {
  readonly #held: Reservation[] = [];
  #counted = 0;
  #reserved = FREE_BYTES;

  constructor(
    readonly budget: MemoryBudget,
    readonly prefix: string,
  ) {}

  /** Counts `bytes` more; throws 413 past the whole budget, 503 when the budget is busy. */
  count(bytes: number): void {
    this.#counted += bytes;
    while (this.#counted > this.#reserved) {
      if (this.#counted > this.budget.totalBytes)
        throw new ListingTooLargeError(this.prefix, this.budget.totalBytes);
      const reservation = this.budget.tryReserve(STEP_BYTES);
      if (!reservation) throw new UnavailableError('memory for listings is busy: retry');
      this.#held.push(reservation);
      this.#reserved += STEP_BYTES;
    }
  }

  release(): void {
    for (const reservation of this.#held) reservation.release();
    this.#held.length = 0;
  }
}

/**
 * Collects a listing: full keys (`addKey`), grouped by the delimiter, and pseudo-directories a
 * backend grouped itself (`addPrefix`); `result()` sorts both.
 *
 * @example
 * const listing = new ListingBuilder(options);
 * for await (const key of scan(options.prefix)) {
 *   listing.addKey(key);
 *   if (listing.full) break;
 * }
 * return listing.result();
 */
export class ListingBuilder {
  readonly #keys = new Set<string>();
  readonly #prefixes = new Set<string>();

  constructor(readonly options: ListOptions) {}

  /** Entries so far, keys and prefixes. */
  get size(): number {
    return this.#keys.size + this.#prefixes.size;
  }

  /** The `limit` of the options is reached: scanning further changes nothing the caller needs. */
  get full(): boolean {
    return this.options.limit !== undefined && this.size >= this.options.limit;
  }

  /** A full key (relative to the mount); one outside the prefix is ignored. */
  addKey(key: string): void {
    const { prefix, delimiter } = this.options;
    if (!key.startsWith(prefix)) return;
    const at = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
    if (at === -1) this.#add(this.#keys, key);
    else this.#add(this.#prefixes, key.slice(0, at + delimiter.length));
  }

  /** A pseudo-directory, ending with the delimiter. */
  addPrefix(prefix: string): void {
    this.#add(this.#prefixes, prefix);
  }

  result(): Listing {
    return { keys: sortByBytes(this.#keys), prefixes: sortByBytes(this.#prefixes) };
  }

  #add(entries: Set<string>, entry: string): void {
    if (entries.has(entry)) return;
    this.options.memory?.count(2 * entry.length + ENTRY_OVERHEAD_BYTES);
    entries.add(entry);
  }
}

/** The listing of a flat backend that has all its keys at hand (memory). */
export function groupByDelimiter(allKeys: Iterable<string>, options: ListOptions): Listing {
  const listing = new ListingBuilder(options);
  for (const key of allKeys) listing.addKey(key);
  return listing.result();
}
