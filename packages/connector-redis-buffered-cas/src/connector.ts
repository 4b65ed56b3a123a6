/**
 * The Redis connector: values are plain Redis strings, binary-safe end to end, and the ETag is the
 * lowercase hex SHA-1 of the content, the same digest Lua's `redis.sha1hex` computes, so a script
 * can compare versions inside Redis. Every Redis failure goes through translateRedisError.
 *
 * Writes honour an explicit condition atomically (SET NX, or the compare-and-set script);
 * the read→write memory that turns plain writes into conditional ones is core's
 * withCompareAndSet, wrapped around this class in main.ts.
 */
import { createHash } from 'node:crypto';
import {
  type AttributeWriteResult,
  BadRequestError,
  ConflictError,
  type Connector,
  type ETag,
  groupByDelimiter,
  KeyNotFoundError,
  type Listing,
  type ListOptions,
  type ReadResult,
  type Stat,
  UnsupportedAttributeError,
  validateKey,
  type WriteBody,
  type WriteCondition,
} from '@state-proxy/connector-core';
import { BINARY, RedisConnection } from './client.js';
import { translateRedisError } from './errors.js';
import { CAS_MISSING, CAS_WRITTEN } from './scripts.js';
import { StorageKeys } from './storage-keys.js';

export interface RedisConnectorOptions {
  url: string;
  /** STATE_PREFIX: keys live at `{prefix}:{key}`. */
  prefix: string;
  timeoutMs: number;
  timeoutPerMibMs: number;
  reconnectMaxDelayMs: number;
  onConnectionChange?: (event: { connected: boolean; error?: Error }) => void;
}

const TTL_ATTRIBUTE = 'ttl';
/** Keys asked per SCAN step: large enough for few round trips, small enough not to stall Redis. */
const SCAN_COUNT = 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function etagOf(value: Buffer): ETag {
  return createHash('sha1').update(value).digest('hex');
}

export class RedisConnector implements Connector {
  readonly writeMode = 'buffered';
  readonly #connection: RedisConnection;
  readonly #keys: StorageKeys;

  constructor(options: RedisConnectorOptions) {
    this.#connection = new RedisConnection(options);
    this.#keys = new StorageKeys(options.prefix);
  }

  read(key: string): Promise<ReadResult> {
    return this.#call(async () => {
      const storageKey = this.#keys.toStorage(key);
      const value = await this.#connection.runSized(storageKey, 0, (redis) =>
        redis.withTypeMapping(BINARY).get(storageKey),
      );
      if (value === null) throw new KeyNotFoundError(key);
      return { body: value, length: value.length, etag: etagOf(value) };
    });
  }

  stat(key: string): Promise<Stat | undefined> {
    return this.#call(async () => {
      const storageKey = this.#keys.toStorage(key);
      return await this.#connection.runSized(storageKey, 0, (redis) => redis.statValue(storageKey));
    });
  }

  async write(key: string, body: WriteBody, condition?: WriteCondition): Promise<{ etag: ETag }> {
    // Outside #call: a failure reading the spooled body is not a Redis failure.
    const value = await body.buffer();
    return this.#call(async () => {
      const storageKey = this.#keys.toStorage(key);
      if (condition === undefined) {
        await this.#connection.run(value.length, (redis) => redis.set(storageKey, value));
      } else if (condition.kind === 'absent') {
        const reply = await this.#connection.run(value.length, (redis) =>
          redis.set(storageKey, value, { condition: 'NX' }),
        );
        if (reply === null) throw new ConflictError(key, 'the key already exists');
      } else {
        // The script also hashes the stored value, whose size only Redis knows.
        // Our ETags are lowercase hex; a client may send them in any case.
        const expected = condition.etag.toLowerCase();
        const reply = await this.#connection.runSized(storageKey, value.length, (redis) =>
          redis.compareAndSet(storageKey, expected, value),
        );
        if (reply === CAS_MISSING) throw new ConflictError(key, 'the key no longer exists');
        if (reply !== CAS_WRITTEN) throw new ConflictError(key);
      }
      return { etag: etagOf(value) };
    });
  }

  delete(key: string): Promise<void> {
    return this.#call(async () => {
      const removed = await this.#connection.run(0, (redis) => redis.del(this.#keys.toStorage(key)));
      if (removed === 0) throw new KeyNotFoundError(key);
    });
  }

  list({ prefix, delimiter, limit }: ListOptions): Promise<Listing> {
    return this.#call(async () => {
      const found = new Set<string>();
      // Distinct listing entries so far (a key, or the directory it falls in), for `limit`.
      const entries = new Set<string>();
      const pattern = this.#keys.matchPattern(prefix);
      let cursor = '0';
      do {
        const reply = await this.#connection.run(0, (redis) =>
          redis.withTypeMapping(BINARY).scan(cursor, { MATCH: pattern, COUNT: SCAN_COUNT }),
        );
        cursor = String(reply.cursor);
        for (const raw of reply.keys) {
          const key = this.#mountKey(raw as unknown as Buffer);
          if (key === undefined || !key.startsWith(prefix)) continue;
          found.add(key);
          const at = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
          entries.add(at === -1 ? key : key.slice(0, at + delimiter.length));
        }
      } while (cursor !== '0' && (limit === undefined || entries.size < limit));
      return groupByDelimiter(found, prefix, delimiter);
    });
  }

  listAttributes(key: string): Promise<string[]> {
    return this.#call(async () => {
      const exists = await this.#connection.run(0, (redis) => redis.exists(this.#keys.toStorage(key)));
      if (exists === 0) throw new KeyNotFoundError(key);
      return [TTL_ATTRIBUTE];
    });
  }

  getAttribute(key: string, name: string): Promise<string> {
    return this.#call(async () => {
      if (name !== TTL_ATTRIBUTE) throw new UnsupportedAttributeError(name);
      const ttl = await this.#connection.run(0, (redis) => redis.ttl(this.#keys.toStorage(key)));
      if (ttl === -2) throw new KeyNotFoundError(key); // -2: no such key; -1: no expiry
      return String(ttl);
    });
  }

  setAttribute(key: string, name: string, value: string): Promise<AttributeWriteResult> {
    return this.#call(async () => {
      if (name !== TTL_ATTRIBUTE) throw new UnsupportedAttributeError(name);
      const seconds = parseTtl(value);
      // As Redis does: a TTL of 0 or less deletes the key (EXPIRE still answers 1).
      const applied = await this.#connection.run(0, (redis) =>
        redis.expire(this.#keys.toStorage(key), seconds),
      );
      if (applied === 0) throw new KeyNotFoundError(key);
      return seconds <= 0 ? { deleted: true } : {};
    });
  }

  checkReady(): Promise<void> {
    return this.#call(async () => {
      await this.#connection.run(0, (redis) => redis.ping());
    });
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }

  /** Runs one operation with every failure translated to a typed error, in one place. */
  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw translateRedisError(error, this.#connection.lastError);
    }
  }

  /**
   * A SCAN result as a mount key; undefined for names the protocol could not have written
   * (not UTF-8, or not a valid key), e.g. other data sharing the database without a prefix.
   */
  #mountKey(raw: Buffer): string | undefined {
    let name: string;
    try {
      name = utf8.decode(raw);
    } catch {
      return undefined;
    }
    const key = this.#keys.fromStorage(name);
    if (key === undefined) return undefined;
    try {
      return validateKey(key);
    } catch {
      return undefined;
    }
  }
}

function parseTtl(value: string): number {
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed))
    throw new BadRequestError(`ttl must be an integer number of seconds, got '${value}'`);
  const seconds = Number(trimmed);
  if (!Number.isSafeInteger(seconds)) throw new BadRequestError(`ttl is out of range: '${value}'`);
  return seconds;
}
