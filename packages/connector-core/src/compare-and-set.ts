/**
 * Compare-and-set over the read→write span (docs/consistency.md#compare-and-set), implemented once
 * for every CAS variant.
 *
 * `withCompareAndSet` wraps a connector whose `write` honours an explicit WriteCondition
 * atomically. It remembers, per key, the version this process last observed (the ETag of the last
 * successful read or write, or "absent" after a 404 read) in a bounded LRU, and turns a plain write
 * of a remembered key into a conditional one. A conflict forgets the key, so the retried handler
 * re-reads; a delete forgets it; an explicit condition from the client wins over the memory.
 */
import { LRUCache } from 'lru-cache';
import type {
  AttributeWriteResult,
  Connector,
  ETag,
  ListOptions,
  WriteBody,
  WriteCondition,
} from './connector.js';
import { ConflictError, KeyNotFoundError } from './errors.js';

const ABSENT = Symbol('absent');
type Version = ETag | typeof ABSENT;

/**
 * What one remembered key costs on the heap besides its key and ETag characters: the cache's
 * entry, its map slot and the version object (measured with lru-cache 11 on Node 24: ~200 bytes).
 */
export const VERSION_ENTRY_OVERHEAD_BYTES = 200;

/** The bounded "last seen version" memory, bounded in bytes (keys may be 1 KiB each). */
export class VersionMemory {
  readonly #seen: LRUCache<string, { version: Version }>;

  constructor(maxBytes: number) {
    // maxSize, not max: with max, lru-cache allocates its tables for all entries up front.
    this.#seen = new LRUCache({
      maxSize: maxBytes,
      sizeCalculation: ({ version }, key) =>
        VERSION_ENTRY_OVERHEAD_BYTES + key.length + (version === ABSENT ? 0 : version.length),
    });
  }

  rememberVersion(key: string, etag: ETag): void {
    this.#seen.set(key, { version: etag });
  }

  rememberAbsent(key: string): void {
    this.#seen.set(key, { version: ABSENT });
  }

  forget(key: string): void {
    this.#seen.delete(key);
  }

  /** The condition a plain write of `key` must meet, or undefined for a key never read. */
  conditionFor(key: string): WriteCondition | undefined {
    const entry = this.#seen.get(key);
    if (!entry) return undefined;
    return entry.version === ABSENT ? { kind: 'absent' } : { kind: 'match', etag: entry.version };
  }

  get size(): number {
    return this.#seen.size;
  }
}

/**
 * `inner` with the CAS memory of up to `maxBytes` around it (STATE_CAS_MEMORY_BYTES). runConnector applies it to a
 * variant that declares `consistency: 'cas'` (startInProcess too); call it yourself only when
 * serving a connector with serveConnector (tests).
 *
 * @example
 * const served = await serveConnector(withCompareAndSet(new MyStoreConnector(), 2 * MiB), { socketPath });
 */
export function withCompareAndSet(inner: Connector, maxBytes: number): Connector {
  const memory = new VersionMemory(maxBytes);
  const wrapped: Connector = {
    ...(inner.maxKeyBytes === undefined ? {} : { maxKeyBytes: inner.maxKeyBytes }),

    async read(key) {
      try {
        const result = await inner.read(key);
        memory.rememberVersion(key, result.etag);
        return result;
      } catch (error) {
        if (error instanceof KeyNotFoundError) memory.rememberAbsent(key);
        throw error;
      }
    },

    async write(key: string, body: WriteBody, condition?: WriteCondition) {
      try {
        const result = await inner.write(key, body, condition ?? memory.conditionFor(key));
        memory.rememberVersion(key, result.etag);
        return result;
      } catch (error) {
        // Forget on any failure: after a conflict the handler must re-read; after an outage we
        // no longer know what is stored.
        memory.forget(key);
        throw error;
      }
    },

    async delete(key) {
      memory.forget(key);
      await inner.delete(key);
    },

    stat: (key) => inner.stat(key),
    list: (options: ListOptions) => inner.list(options),
    checkReady: () => inner.checkReady(),
    close: () => inner.close(),
  };
  const { listAttributes, getAttribute, setAttribute } = inner;
  if (!listAttributes || !getAttribute || !setAttribute) return wrapped;
  return {
    ...wrapped,
    listAttributes: (key) => listAttributes.call(inner, key),
    getAttribute: (key, name) => getAttribute.call(inner, key, name),
    async setAttribute(key, name, value) {
      let result: AttributeWriteResult;
      try {
        result = await setAttribute.call(inner, key, name, value, memory.conditionFor(key));
      } catch (error) {
        if (error instanceof ConflictError) memory.forget(key);
        throw error;
      }
      // A metadata write that made a new version (S3 content_type) is our own write: remember it
      // so the next plain write does not conflict with ourselves.
      if (result.deleted) memory.forget(key);
      else if (result.etag !== undefined) memory.rememberVersion(key, result.etag);
      return result;
    },
  };
}
