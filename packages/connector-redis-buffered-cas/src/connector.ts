/**
 * The Redis connector: values are plain Redis strings, binary-safe end to end, and the ETag is the
 * lowercase hex SHA-1 of the content, the same digest Lua's `redis.sha1hex` computes, so a script
 * can compare versions inside Redis. Every call goes through #send: its deadline, the reconnect
 * policy (connection.ts) and the translation of its failure (errors.ts), once.
 * Values larger than one chunk are written and read in chunks (large-values.ts), so memory per
 * request is bounded whatever the value size; a body streams into Redis as it arrives, never to
 * disk (the variant's write mode is core's `streaming`), and is visible only once it is whole.
 *
 * Writes honour an explicit condition atomically (SET NX, or the compare-and-set script);
 * the read→write memory that turns plain writes into conditional ones is core's
 * withCompareAndSet, wrapped around this class in main.ts.
 */
import {
  type AttributeWriteResult,
  ConflictError,
  type Connector,
  contentEtag,
  type ETag,
  KeyNamespace,
  KeyNotFoundError,
  type Listing,
  ListingBuilder,
  type ListOptions,
  type MemoryBudget,
  parseTtlSeconds,
  type ReadResult,
  type Stat,
  UnavailableError,
  UnsupportedAttributeError,
  validateKey,
  type WriteBody,
  type WriteCondition,
} from '@state-proxy/connector-core';
import { type ConnectionOptions, RedisConnection } from './connection.js';
import { translateRedisError } from './errors.js';
import {
  CHUNK_BYTES,
  INLINE_READ_BYTES,
  RangeReader,
  SINGLE_WRITE_BYTES,
  sendInChunks,
  stagingTtlMs,
  transferShare,
  uploadKeyFor,
} from './large-values.js';
import { BINARY, type Redis } from './node-redis.js';
import { confirmReplicated, type ReplicationOptions } from './replication.js';
import {
  CAS_MISSING,
  CAS_WRITTEN,
  commitUpload,
  compareAndSet,
  readValue,
  type StoredValue,
  statValue,
  type TooLongToHash,
  UPLOAD_GONE,
} from './scripts.js';

export interface RedisConnectorOptions extends ConnectionOptions {
  /** STATE_PREFIX: keys live at `{prefix}:{key}` (docs/keys.md#backend-keys), or at `{key}` without one. */
  prefix: string;
  /** Shared with the HTTP layer: chunked transfers take their share of it. */
  memory: MemoryBudget;
  /** STATE_REDIS_WAIT_REPLICAS (default 0: none) and how long to wait for them. */
  waitReplicas?: number;
  waitTimeoutMs?: number;
  /** CONNECTOR_BODY_IDLE_TIMEOUT_MS: how long a body may pause, which a staging key's TTL covers. */
  bodyIdleTimeoutMs?: number;
}

const TTL_ATTRIBUTE = 'ttl';
/** Core's default CONNECTOR_BODY_IDLE_TIMEOUT_MS. */
const DEFAULT_BODY_IDLE_TIMEOUT_MS = 30_000;
/** Values Redis hashes within a call's base deadline without asking: a few ms of SHA-1 at most. */
const HASHED_WITHIN_BASE_DEADLINE = 1024 * 1024;
/** Keys asked per SCAN step: large enough for few round trips, small enough not to stall Redis. */
const SCAN_COUNT = 1000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class RedisConnector implements Connector {
  readonly #connection: RedisConnection;
  readonly #keys: KeyNamespace;
  readonly #memory: MemoryBudget;
  readonly #replication: ReplicationOptions;
  readonly #bodyIdleTimeoutMs: number;

  constructor(options: RedisConnectorOptions) {
    this.#keys = new KeyNamespace(options.prefix, ':');
    this.#connection = new RedisConnection(options);
    this.#memory = options.memory;
    this.#replication = { replicas: options.waitReplicas ?? 0, timeoutMs: options.waitTimeoutMs ?? 1000 };
    this.#bodyIdleTimeoutMs = options.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
  }

  get maxKeyBytes(): number {
    return this.#keys.maxKeyBytes;
  }

  async read(key: string): Promise<ReadResult> {
    const storageKey = this.#keys.toBackend(key);
    const small = await this.#readInline(storageKey);
    if (small === undefined) throw new KeyNotFoundError(key);
    if ('value' in small)
      return { body: small.value, length: small.value.length, etag: contentEtag(small.value) };
    // Large: its length and hash, then streamed in ranges once the budget has room for the
    // transfer (else 503 before any byte). A missing key reads as empty: RangeReader reports the
    // value changed.
    const stored = await this.#stat(storageKey);
    if (stored === undefined) throw new KeyNotFoundError(key);
    const share = await this.#memory.reserve(transferShare(stored.length));
    const fetchRange = (start: number, end: number) =>
      this.#send(storageKey, CHUNK_BYTES, (redis) => getRange(redis, storageKey, start, end));
    return { body: new RangeReader(fetchRange, stored.length, stored.etag, share), ...stored };
  }

  /**
   * The value whole when it has at most INLINE_READ_BYTES, else `{ length }` (a lower bound);
   * undefined when the key is missing. Most reads are one GETRANGE, a plain command: Redis spends
   * ~0.3 µs on it against ~7 µs for the smallest script call. GETRANGE reads a missing key as
   * empty, so an empty answer asks the script, which tells the two apart atomically.
   */
  async #readInline(storageKey: string): Promise<StoredValue | undefined> {
    // One byte more than is read whole: an answer that long means a larger value.
    const head = await this.#send(storageKey, INLINE_READ_BYTES, (redis) =>
      getRange(redis, storageKey, 0, INLINE_READ_BYTES),
    );
    if (head.length > INLINE_READ_BYTES) return { length: head.length };
    if (head.length > 0) return { value: head };
    return this.#send(storageKey, 0, (redis) => readValue(redis, storageKey, INLINE_READ_BYTES));
  }

  /**
   * Length and ETag as a read finds them: one GETRANGE (a single command's reply is one version)
   * and the SHA-1 taken here, for a small value; the script, which hashes in Redis, for a large one.
   */
  async stat(key: string): Promise<Stat | undefined> {
    const storageKey = this.#keys.toBackend(key);
    const small = await this.#readInline(storageKey);
    if (small === undefined) return undefined;
    if ('value' in small) return { length: small.value.length, etag: contentEtag(small.value) };
    return await this.#stat(storageKey);
  }

  /** Length and ETag: hashed in one call up to HASHED_WITHIN_BASE_DEADLINE, else in a second, longer one. */
  async #stat(storageKey: string): Promise<Stat | undefined> {
    const stat = await this.#send(storageKey, 0, (redis) =>
      statValue(redis, storageKey, HASHED_WITHIN_BASE_DEADLINE),
    );
    if (stat === undefined || 'etag' in stat) return stat;
    return await this.#digest(storageKey, stat.length);
  }

  /** Length and ETag of a value of about `length` bytes, with a deadline sized for hashing it in Redis. */
  async #digest(storageKey: string, length: number): Promise<Stat | undefined> {
    const stat = await this.#send(storageKey, length, (redis) =>
      statValue(redis, storageKey, Number.MAX_SAFE_INTEGER),
    );
    // Hashed whatever its size; only a value deleted meanwhile is undefined.
    return stat && 'etag' in stat ? stat : undefined;
  }

  /**
   * Nothing is visible before the whole body has arrived. A body already in memory (spooled, it
   * holds its budget share) or known to fit in one chunk is written with one command, which
   * node-redis sends without copying the Buffer; any other streams into a staging key.
   */
  async write(key: string, body: WriteBody, condition?: WriteCondition): Promise<{ etag: ETag }> {
    if (body.inMemory) return this.#writeWhole(key, await body.buffer(), condition);
    if (body.length === undefined || body.length > SINGLE_WRITE_BYTES)
      return this.#writeInChunks(key, body, condition);
    // Waits its turn when the budget is busy (503 after STATE_MEMORY_WAIT_MS): never on disk.
    const share = await this.#memory.reserve(body.length);
    try {
      // A failure reading the body is the client's, not Redis's: it is no #send's.
      return await this.#writeWhole(key, await body.buffer(), condition);
    } finally {
      share.release();
    }
  }

  /** One command: SET, SET NX or the compare-and-set script. */
  async #writeWhole(
    key: string,
    value: Buffer,
    condition: WriteCondition | undefined,
  ): Promise<{ etag: ETag }> {
    const storageKey = this.#keys.toBackend(key);
    if (condition === undefined) {
      await this.#send(storageKey, value.length, (redis) => redis.sendCommand(['SET', storageKey, value]));
    } else if (condition.kind === 'absent') {
      const reply = await this.#send(storageKey, value.length, (redis) =>
        redis.sendCommand<string | null>(['SET', storageKey, value, 'NX']),
      );
      if (reply === null) throw new ConflictError(key, 'the key already exists');
    } else {
      const etag = expectedEtag(condition.etag);
      const reply = await this.#runHashing(storageKey, value.length, (redis, hashBytes) =>
        compareAndSet(redis, storageKey, etag, value, hashBytes),
      );
      throwOnConflict(key, reply, condition);
    }
    // Not even an await without STATE_REDIS_WAIT_REPLICAS: the common write stays as it was.
    if (this.#replication.replicas > 0) await this.#confirmReplicated(storageKey);
    return { etag: contentEtag(value) };
  }

  /**
   * A body of unknown or more than one chunk's length, streamed as it arrives into a staging key
   * beside the value (its hash slot, see uploadKeyFor), then committed atomically under the
   * condition. One that ends within its first chunk after all is written with one command.
   * A body that fails (client gone, stalled, over the limit, shutdown) removes the staging key;
   * should the process die, its TTL does.
   */
  async #writeInChunks(key: string, body: WriteBody, condition?: WriteCondition): Promise<{ etag: ETag }> {
    const storageKey = this.#keys.toBackend(key);
    const uploadKey = uploadKeyFor(storageKey);
    const ttlMs = stagingTtlMs(this.#bodyIdleTimeoutMs, this.#connection.deadlineFor(body.length ?? 0));
    const share = await this.#memory.reserve(transferShare(body.length ?? Number.POSITIVE_INFINITY));
    let staged = false;
    let committed = false;
    try {
      const sent = await sendInChunks(
        body.stream(),
        (chunk, offset) => {
          staged = true;
          return this.#stage(uploadKey, chunk, offset, ttlMs);
        },
        this.#bodyIdleTimeoutMs / 2,
      );
      if (sent.whole) return await this.#writeWhole(key, sent.whole, condition);
      const reply = await this.#runHashing(storageKey, 0, (redis, hashBytes) =>
        commitUpload(redis, storageKey, uploadKey, conditionArgument(condition), hashBytes),
      );
      committed = true; // whatever the answer, the script has removed the staging key
      if (reply === UPLOAD_GONE)
        throw new UnavailableError('the staged body expired in Redis before it was committed');
      throwOnConflict(key, reply, condition);
      if (this.#replication.replicas > 0) await this.#confirmReplicated(storageKey);
      return { etag: sent.etag };
    } finally {
      share.release();
      // Awaited: a request cut at shutdown still removes its key before the connection closes.
      if (staged && !committed)
        await this.#send(uploadKey, 0, (redis) => redis.sendCommand(['DEL', uploadKey])).catch(() => {}); // its TTL is the fallback
    }
  }

  /**
   * Writes one chunk at `offset` of the staging key and renews its TTL. An APPEND to a key that
   * expired in between would start a new one: its length tells, and the write fails rather than
   * commit part of a body.
   */
  async #stage(uploadKey: string, chunk: Buffer, offset: number, ttlMs: number): Promise<void> {
    await this.#send(uploadKey, chunk.length, async (redis) => {
      if (offset === 0) {
        await redis.sendCommand(['SET', uploadKey, chunk, 'PX', String(ttlMs)]);
        return;
      }
      // APPEND answers the new length; PEXPIRE 1 when applied, 0 for a missing key.
      const [length, renewed] = await Promise.all([
        redis.sendCommand<number>(['APPEND', uploadKey, chunk]),
        redis.sendCommand<number>(['PEXPIRE', uploadKey, String(ttlMs)]),
      ]);
      if (length !== offset + chunk.length || renewed !== 1)
        throw new UnavailableError('the staged body expired in Redis before it was whole');
    });
  }

  /**
   * A script that compares the stored value's SHA-1 (a conditional write), carrying `bytes`
   * itself. Hashing takes time in proportion to the stored value, whose size only Redis knows:
   * the script hashes values up to HASHED_WITHIN_BASE_DEADLINE within the call's deadline, one
   * round trip for typical state; a longer one is asked again with a deadline sized for it.
   */
  async #runHashing(
    storageKey: string,
    bytes: number,
    script: (redis: Redis, hashBytes: number) => Promise<number | TooLongToHash>,
  ): Promise<number> {
    const reply = await this.#send(storageKey, bytes, (redis) => script(redis, HASHED_WITHIN_BASE_DEADLINE));
    if (typeof reply === 'number') return reply;
    const [storedLength] = reply;
    return (await this.#send(storageKey, bytes + storedLength, (redis) =>
      script(redis, Number.MAX_SAFE_INTEGER),
    )) as number; // hashed whatever its length: never TooLongToHash
  }

  async delete(key: string): Promise<void> {
    const storageKey = this.#keys.toBackend(key);
    const removed = await this.#send(storageKey, 0, (redis) =>
      redis.sendCommand<number>(['DEL', storageKey]),
    );
    if (removed === 0) throw new KeyNotFoundError(key);
    if (this.#replication.replicas > 0) await this.#confirmReplicated(storageKey);
  }

  /**
   * SCAN on every master (one but for a Cluster, where each holds the keys of its slots), merged.
   * A Cluster's masters are scanned one after the other, so that `limit` can end the walk early.
   */
  async list(options: ListOptions): Promise<Listing> {
    // Grouped as it is scanned: what the listing holds is its answer, not every key it saw.
    const listing = new ListingBuilder(options);
    const pattern = `${escapeGlob(this.#keys.toBackend(options.prefix))}*`;
    for (const onMaster of await this.#masters()) {
      let cursor = '0';
      do {
        // The next cursor ('0' when done) and the key names, as raw bytes.
        const [next, names] = await onMaster((redis) =>
          redis.sendCommand<[Buffer, Buffer[]]>(
            ['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(SCAN_COUNT)],
            BINARY,
          ),
        );
        cursor = next.toString('latin1');
        for (const raw of names) {
          const key = this.#mountKey(raw);
          if (key !== undefined) listing.addKey(key);
        }
      } while (cursor !== '0' && !listing.full);
      if (listing.full) break;
    }
    return listing.result();
  }

  async listAttributes(key: string): Promise<string[]> {
    const storageKey = this.#keys.toBackend(key);
    const exists = await this.#send(storageKey, 0, (redis) =>
      redis.sendCommand<number>(['EXISTS', storageKey]),
    );
    if (exists === 0) throw new KeyNotFoundError(key);
    return [TTL_ATTRIBUTE];
  }

  async getAttribute(key: string, name: string): Promise<string> {
    if (name !== TTL_ATTRIBUTE) throw new UnsupportedAttributeError(name);
    const storageKey = this.#keys.toBackend(key);
    const ttl = await this.#send(storageKey, 0, (redis) => redis.sendCommand<number>(['TTL', storageKey]));
    if (ttl === -2) throw new KeyNotFoundError(key); // -2: no such key; -1: no expiry
    return String(ttl);
  }

  async setAttribute(key: string, name: string, value: string): Promise<AttributeWriteResult> {
    if (name !== TTL_ATTRIBUTE) throw new UnsupportedAttributeError(name);
    const seconds = parseTtlSeconds(value);
    // As Redis does: a TTL of 0 or less deletes the key (EXPIRE still answers 1; 0 for a missing key).
    const storageKey = this.#keys.toBackend(key);
    const applied = await this.#send(storageKey, 0, (redis) =>
      redis.sendCommand<number>(['EXPIRE', storageKey, String(seconds)]),
    );
    if (applied === 0) throw new KeyNotFoundError(key);
    if (this.#replication.replicas > 0) await this.#confirmReplicated(storageKey);
    return seconds <= 0 ? { deleted: true } : {};
  }

  /** Every master answers (a Cluster with a master down cannot serve the keys of its slots). */
  async checkReady(): Promise<void> {
    const masters = await this.#masters();
    await Promise.all(masters.map((onMaster) => onMaster((redis) => redis.sendCommand(['PING']))));
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }

  /**
   * One call about `storageKey` carrying `bytes` (0 for small ones): within its deadline, on a link
   * the reconnect policy keeps (connection.ts), any failure translated to a typed error (errors.ts).
   */
  #send<T>(storageKey: string, bytes: number, call: (redis: Redis) => Promise<T>): Promise<T> {
    return this.#connection.run(storageKey, bytes, call).catch(this.#translate);
  }

  /** Every master (one but for a Cluster), each a runner of calls as #send is for a key (SCAN, PING). */
  async #masters(): Promise<Array<<T>(call: (redis: Redis) => Promise<T>) => Promise<T>>> {
    const masters = await this.#connection.masters().catch(this.#translate);
    return masters.map(
      (onMaster) =>
        <T>(call: (redis: Redis) => Promise<T>) =>
          onMaster(call).catch(this.#translate),
    );
  }

  /** STATE_REDIS_WAIT_REPLICAS: the write confirmed by that many replicas (replication.ts), or 503. */
  #confirmReplicated(storageKey: string): Promise<void> {
    return confirmReplicated(this.#connection, storageKey, this.#replication).catch(this.#translate);
  }

  readonly #translate = (error: unknown): never => {
    throw translateRedisError(error, this.#connection.lastError);
  };

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
    const key = this.#keys.fromBackend(name);
    if (key === undefined) return undefined;
    try {
      return validateKey(key, this.#keys.maxKeyBytes);
    } catch {
      return undefined;
    }
  }
}

/** GETRANGE: bytes start..end inclusive; empty past the end or for a missing key. */
function getRange(redis: Redis, key: string, start: number, end: number): Promise<Buffer> {
  return redis.sendCommand(['GETRANGE', key, String(start), String(end)], BINARY);
}

/** Escapes Redis glob characters (`* ? [ ] \`) for SCAN MATCH, so a prefix like `a[1]` matches only itself. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}

/** Our ETags are lowercase hex; a client may send them in any case. */
function expectedEtag(etag: ETag): string {
  return etag.toLowerCase();
}

/** commitUpload's condition argument: '' none, '*' absent, else the expected ETag. */
function conditionArgument(condition: WriteCondition | undefined): string {
  if (condition === undefined) return '';
  return condition.kind === 'absent' ? '*' : expectedEtag(condition.etag);
}

/** A conditional write's script answer as the conflict it reports, if any. */
function throwOnConflict(key: string, reply: number, condition: WriteCondition | undefined): void {
  if (reply === CAS_WRITTEN) return;
  if (reply === CAS_MISSING) throw new ConflictError(key, 'the key no longer exists');
  throw condition?.kind === 'absent'
    ? new ConflictError(key, 'the key already exists')
    : new ConflictError(key);
}
