/**
 * The guide's example (packages/connector-core/README.md): a connector over a Map in its own
 * process, the smallest one that passes the conformance suite. Last write wins, no extended
 * attributes; a write's condition is checked and applied in one synchronous step, so atomically.
 */
import {
  ConflictError,
  type Connector,
  type CreateContext,
  type Created,
  contentEtag,
  type Env,
  type ETag,
  groupByDelimiter,
  KeyNotFoundError,
  type Listing,
  type ListOptions,
  type ReadResult,
  type Stat,
  type WriteBody,
  type WriteCondition,
} from '@state-proxy/connector-core';

type Entry = { value: Buffer; etag: ETag };

export class MapConnector implements Connector {
  constructor(private readonly entries = new Map<string, Entry>()) {}

  async read(key: string): Promise<ReadResult> {
    const entry = this.entries.get(key);
    if (!entry) throw new KeyNotFoundError(key);
    return { body: entry.value, length: entry.value.length, etag: entry.etag };
  }

  async stat(key: string): Promise<Stat | undefined> {
    const entry = this.entries.get(key);
    return entry && { length: entry.value.length, etag: entry.etag };
  }

  async write(key: string, body: WriteBody, condition?: WriteCondition): Promise<{ etag: ETag }> {
    const value = await body.buffer();
    const current = this.entries.get(key);
    if (condition?.kind === 'absent' && current) throw new ConflictError(key, 'the key already exists');
    if (condition?.kind === 'match' && current?.etag !== condition.etag) throw new ConflictError(key);
    const etag = contentEtag(value);
    this.entries.set(key, { value, etag });
    return { etag };
  }

  async delete(key: string): Promise<void> {
    if (!this.entries.delete(key)) throw new KeyNotFoundError(key);
  }

  async list(options: ListOptions): Promise<Listing> {
    return groupByDelimiter(this.entries.keys(), options);
  }

  async checkReady(): Promise<void> {}

  async close(): Promise<void> {}
}

/**
 * runConnector's `create`: settings would be read from `env` here (ConfigError for a bad one),
 * `context.core.prefix` is STATE_PREFIX. It may also be async.
 */
export function createMapConnector(_env: Env, _context: CreateContext): Created {
  return { connector: new MapConnector(), backend: 'process memory' };
}
