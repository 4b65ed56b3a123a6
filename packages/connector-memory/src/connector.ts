/**
 * The reference connector: an in-memory store with atomic conditions and a `ttl` attribute. It is
 * the smallest complete example of a connector. Its variant declares `cas` consistency (variant.ts),
 * so runConnector adds the CAS memory, exactly as for the Redis and S3 CAS variants.
 */
import {
  type AttributeWriteResult,
  ConflictError,
  type Connector,
  contentEtag,
  type ETag,
  groupByDelimiter,
  KeyNotFoundError,
  type Listing,
  type ListOptions,
  parseTtlSeconds,
  type ReadResult,
  type Stat,
  UnsupportedAttributeError,
  type WriteBody,
  type WriteCondition,
} from '@state-proxy/connector-core';

interface Entry {
  value: Buffer;
  etag: ETag;
  /** Epoch milliseconds, or undefined for no expiry. */
  expiresAt: number | undefined;
}

export class MemoryConnector implements Connector {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The live entry for `key`; an expired one is removed on the way. */
  #entry(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #existing(key: string): Entry {
    const entry = this.#entry(key);
    if (!entry) throw new KeyNotFoundError(key);
    return entry;
  }

  async read(key: string): Promise<ReadResult> {
    const { value, etag } = this.#existing(key);
    return { body: value, length: value.length, etag };
  }

  async stat(key: string): Promise<Stat | undefined> {
    const entry = this.#entry(key);
    return entry && { length: entry.value.length, etag: entry.etag };
  }

  async write(key: string, body: WriteBody, condition?: WriteCondition): Promise<{ etag: ETag }> {
    const value = await body.buffer();
    // Everything from here on is synchronous, so check and write are atomic.
    const current = this.#entry(key);
    if (condition?.kind === 'absent' && current) throw new ConflictError(key, 'the key already exists');
    if (condition?.kind === 'match' && current?.etag !== condition.etag) throw new ConflictError(key);
    const etag = contentEtag(value);
    // Like Redis SET, a write clears any TTL.
    this.#entries.set(key, { value, etag, expiresAt: undefined });
    return { etag };
  }

  async delete(key: string): Promise<void> {
    this.#existing(key);
    this.#entries.delete(key);
  }

  async list(options: ListOptions): Promise<Listing> {
    const live = [...this.#entries.keys()].filter((key) => this.#entry(key));
    return groupByDelimiter(live, options);
  }

  async listAttributes(key: string): Promise<string[]> {
    this.#existing(key);
    return ['ttl'];
  }

  async getAttribute(key: string, name: string): Promise<string> {
    const entry = this.#existing(key);
    if (name !== 'ttl') throw new UnsupportedAttributeError(name);
    if (entry.expiresAt === undefined) return '-1';
    return String(Math.max(0, Math.ceil((entry.expiresAt - this.now()) / 1000)));
  }

  async setAttribute(key: string, name: string, value: string): Promise<AttributeWriteResult> {
    const entry = this.#existing(key);
    if (name !== 'ttl') throw new UnsupportedAttributeError(name);
    const seconds = parseTtlSeconds(value);
    // As Redis EXPIRE: zero or a negative TTL deletes the key.
    if (seconds <= 0) {
      this.#entries.delete(key);
      return { deleted: true };
    }
    entry.expiresAt = this.now() + seconds * 1000;
    return {};
  }

  async checkReady(): Promise<void> {}

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
