/**
 * The interface every connector implements. The HTTP layer validates keys and prefixes before
 * calling any method, so a connector only ever sees valid keys (see keys.ts). Methods report
 * failures by throwing the typed errors of errors.ts.
 */
import type { Readable } from 'node:stream';
import type { ListingMemory } from './listing.js';

/**
 * A version tag for the stored bytes, unquoted (the HTTP layer adds and strips the quotes).
 * S3: the object's ETag. Redis and memory: a digest of the content.
 */
export type ETag = string;

/** What a write requires of the current version. Checked atomically with the write. */
export type WriteCondition =
  | { kind: 'absent' } // If-None-Match: *
  | { kind: 'match'; etag: ETag }; // If-Match: <etag>

/**
 * A request body. For a buffered connector it is complete (spooled) before `write` is called,
 * with a known `length`. For a streaming connector it is the live request stream; `length` is
 * known only when the client sent Content-Length, and the stream fails (never ends early) when
 * the client disconnects, stalls or passes the size limit.
 */
export interface WriteBody {
  readonly length: number | undefined;
  /**
   * True when the bytes are already in memory (a small spooled body): buffer() then costs nothing,
   * so a connector sends them whole rather than in chunks.
   */
  readonly inMemory?: boolean;
  /** The bytes as one stream. Call once. */
  stream(): Readable;
  /**
   * The bytes as one Buffer: a spilled file read into memory, or the live stream read whole (the
   * connector takes the memory budget's share for it first).
   */
  buffer(): Promise<Buffer>;
}

export interface ReadResult {
  /** A Buffer when the backend returns the value whole (Redis), a stream when it streams (S3). */
  body: Buffer | Readable;
  length: number;
  etag: ETag;
}

export interface AttributeWriteResult {
  etag?: ETag;
  deleted?: boolean;
}

export interface Stat {
  length: number;
  etag: ETag;
}

/**
 * A listing as the protocol answers it: both arrays sorted by UTF-8 byte order and without
 * duplicates. The connector's job (a ListingBuilder does it), so that a listing is sorted once; the
 * HTTP layer sends it as it is.
 */
export interface Listing {
  /** Full keys (relative to the mount) directly under the prefix. */
  keys: string[];
  /** Full pseudo-directories under the prefix, each ending with the delimiter. */
  prefixes: string[];
}

export interface ListOptions {
  /** May be empty (the mount root) or end with '/'. */
  prefix: string;
  /** Empty: list every key under the prefix recursively. */
  delimiter: string;
  /** Stop after this many entries (keys + prefixes) have been found; an optimisation hint. */
  limit?: number;
  /** The listing's share of the memory budget, which a ListingBuilder made from these options counts. */
  memory?: ListingMemory;
}

/**
 * What a backend implements (docs/protocol.md). Required: read, stat, write (with a condition),
 * delete, list, readiness and close. Extended attributes are optional: a connector without them
 * answers `/meta` with no attributes (core checks that the key exists, once).
 *
 * | member | purpose | required |
 * | --- | --- | --- |
 * | `read` | a key's bytes, length and ETag; KeyNotFoundError when missing | yes |
 * | `stat` | a key's length and ETag, undefined when missing | yes |
 * | `write` | store a body, atomically under its condition; ConflictError when it does not hold | yes |
 * | `delete` | remove a key; KeyNotFoundError when missing | yes |
 * | `list` | keys and pseudo-directories under a prefix, sorted (see Listing) | yes |
 * | `checkReady` | throws UnavailableError or TimeoutError when the backend cannot serve | yes |
 * | `close` | releases the backend client | yes |
 * | `maxKeyBytes` | the longest key the backend takes, its namespace counted (KeyNamespace) | no |
 * | `listAttributes`, `getAttribute`, `setAttribute` | extended attributes (docs/attributes.md) | no, all three or none |
 */
export interface Connector {
  /**
   * The longest key (UTF-8 bytes) this connector can store, what it puts before each key in the
   * backend counted (see KeyNamespace); MAX_KEY_BYTES when absent. The core rejects longer keys
   * and listing prefixes with 400 before any call.
   */
  readonly maxKeyBytes?: number;

  read(key: string): Promise<ReadResult>; // KeyNotFoundError when missing
  stat(key: string): Promise<Stat | undefined>;
  write(key: string, body: WriteBody, condition?: WriteCondition): Promise<{ etag: ETag }>; // ConflictError
  delete(key: string): Promise<void>; // KeyNotFoundError when missing
  list(options: ListOptions): Promise<Listing>;

  /** Names of the extended attributes the key has (without the `user.asya.` prefix). */
  listAttributes?(key: string): Promise<string[]>;
  getAttribute?(key: string, name: string): Promise<string>;
  /**
   * Returns the new ETag when the write made a new version (S3 content_type), or `deleted` when
   * it removed the key (Redis ttl <= 0), so the CAS memory stays right. A connector whose
   * attribute write makes a new version honours `condition` (the version the CAS memory
   * expects) like a write does: ConflictError when the key is no longer at that version.
   */
  setAttribute?(
    key: string,
    name: string,
    value: string,
    condition?: WriteCondition,
  ): Promise<AttributeWriteResult>;

  /** Throws (UnavailableError, TimeoutError) when the backend cannot serve. */
  checkReady(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What a variant is, declared once in its package (`src/variant.ts`): its main.ts hands it to
 * runConnector, which applies the CAS memory and the write mode from it, and the tests, the bench
 * and the image definitions read it from there.
 */
export interface VariantDeclaration {
  /** e.g. `redis-buffered-cas`: the image suffix, and `variant` in the logs. */
  readonly name: string;
  /** `cas`: plain writes of a key read before are conditional on it (docs/consistency.md). */
  readonly consistency: 'cas' | 'lww';
  /**
   * How a body reaches `write`. `buffered`: the core spools it whole (memory, else a file in
   * STATE_SPOOL_DIR) first; `streaming`: `write` gets the live request, and the core never puts a
   * body on disk. Either way, a connector makes nothing visible before the whole body has arrived.
   */
  readonly writeMode: 'buffered' | 'streaming';
  /** STATE_MAX_BODY_BYTES when unset; undefined: no limit. */
  readonly defaultMaxBodyBytes: number | undefined;
  /** The extended attributes it serves (docs/attributes.md), [] for none. */
  readonly attributes: readonly string[];
}
