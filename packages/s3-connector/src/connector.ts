/**
 * The Connector over S3, shared by the three S3 variants; they differ only in their write mode
 * (and in their consistency, which core applies from their declaration). Follow a key: HTTP route → this class →
 * the object key (core's KeyNamespace) → one S3 call → errors.ts on failure.
 */
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  type Connector,
  type ConnectorError,
  countTransferred,
  type ETag,
  KeyNamespace,
  KeyNotFoundError,
  LengthMismatchError,
  type Listing,
  type ListOptions,
  type MemoryBudget,
  PermissionDeniedError,
  type ReadResult,
  readWhole,
  type Stat,
  UnavailableError,
  type VariantDeclaration,
  type WriteBody,
  type WriteCondition,
} from '@state-proxy/connector-core';
import * as attributes from './attributes.js';
import type { S3Settings } from './config.js';
import { isUnexplainedDenial, translateS3Error } from './errors.js';
import { unquoteEtag } from './etags.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { createS3Client } from './s3-client.js';
import { putBuffered, putStreaming, type WriteContext } from './writes.js';

export type WriteMode = VariantDeclaration['writeMode'];

/** Objects up to this size are read whole before answering; larger ones stream. */
const SMALL_READ_BYTES = 64 * 1024;

export class S3Connector implements Connector {
  readonly #writeMode: WriteMode;
  readonly #ctx: WriteContext;

  constructor(
    settings: S3Settings,
    writeMode: WriteMode,
    memory: MemoryBudget,
    client: S3Client = createS3Client(settings),
  ) {
    this.#writeMode = writeMode;
    // The prefix comes trimmed of its trailing slashes (readS3Settings): no double slash in object keys.
    this.#ctx = { client, settings, memory, keys: new KeyNamespace(settings.prefix, '/') };
  }

  get maxKeyBytes(): number {
    return this.#ctx.keys.maxKeyBytes;
  }

  read(key: string): Promise<ReadResult> {
    return this.#call(key, async () => {
      const { client, settings, keys } = this.#ctx;
      const result = await client.send(
        new GetObjectCommand({ Bucket: settings.bucket, Key: keys.toBackend(key) }),
      );
      // In Node the SDK's body is the IncomingMessage itself: streamed to the socket as it arrives.
      const body = result.Body as Readable;
      const length = result.ContentLength ?? 0;
      const etag = unquoteEtag(result.ETag) ?? '';
      // A small object is cheaper answered in one write than piped (measured on 1 KiB GETs),
      // when the memory budget has room for it; else it streams like a large one.
      const share = length <= SMALL_READ_BYTES ? this.#ctx.memory.tryReserve(length) : undefined;
      if (share) {
        try {
          return { body: await readWhole(body as AsyncIterable<Buffer>, length), length, etag };
        } catch (error) {
          if (error instanceof LengthMismatchError)
            throw new UnavailableError(`S3 sent a body for ${key} of the wrong length: ${error.message}`);
          throw error;
        } finally {
          share.release(); // the response takes the buffer in one write
        }
      }
      // Counting chunks as they pass; pause() undoes the flowing mode on('data') turns on, so no
      // byte moves before the HTTP layer pipes the body.
      body.on('data', (chunk: Buffer) => countTransferred(chunk.length)).pause();
      return { body, length, etag };
    });
  }

  stat(key: string): Promise<Stat | undefined> {
    return this.#call(key, async () => {
      const head = await headObject(this.#ctx, key);
      return head && { length: head.ContentLength ?? 0, etag: unquoteEtag(head.ETag) ?? '' };
    });
  }

  write(key: string, body: WriteBody, condition?: WriteCondition): Promise<{ etag: ETag }> {
    return this.#call(key, () =>
      this.#writeMode === 'streaming'
        ? putStreaming(this.#ctx, key, body, condition)
        : putBuffered(this.#ctx, key, body, condition),
    );
  }

  /** S3's DeleteObject succeeds on a missing key; the protocol wants 404, hence the HEAD first. */
  delete(key: string): Promise<void> {
    return this.#call(key, async () => {
      const { client, settings, keys } = this.#ctx;
      if ((await headObject(this.#ctx, key)) === undefined) throw new KeyNotFoundError(key);
      await client.send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: keys.toBackend(key) }));
    });
  }

  list(options: ListOptions): Promise<Listing> {
    return this.#call(options.prefix, () => listObjects(this.#ctx, options));
  }

  listAttributes(key: string): Promise<string[]> {
    return this.#call(key, () => attributes.listAttributes(this.#ctx, key));
  }

  getAttribute(key: string, name: string): Promise<string> {
    return this.#call(key, () => attributes.getAttribute(this.#ctx, key, name));
  }

  setAttribute(
    key: string,
    name: string,
    value: string,
    condition?: WriteCondition,
  ): Promise<{ etag?: ETag }> {
    return this.#call(key, () => attributes.setAttribute(this.#ctx, key, name, value, condition));
  }

  /**
   * Runs one operation on `key` with every failure as a typed error: the one place where the
   * SDK's and the network's errors are translated (errors.ts), as the Redis connector's #call.
   */
  async #call<T>(key: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw translateS3Error(error, key);
    }
  }

  async checkReady(): Promise<void> {
    try {
      await this.#ctx.client.send(new HeadBucketCommand({ Bucket: this.#ctx.settings.bucket }));
    } catch (error) {
      // HeadBucket has no body, so a missing bucket is a bare 404: say what it is.
      const translated = translateS3Error(error, '');
      if (translated instanceof KeyNotFoundError) throw bucketMissing(this.#ctx.settings.bucket);
      if (isUnexplainedDenial(error)) throw await this.#whyDenied(translated);
      throw translated;
    }
  }

  /**
   * A bare 403 to HeadBucket says neither whether the key, the secret or a permission is wrong:
   * a one-key listing (the same s3:ListBucket permission) gets an answer with the error code.
   */
  async #whyDenied(bare: ConnectorError): Promise<ConnectorError> {
    const { client, settings, keys } = this.#ctx;
    try {
      await client.send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: keys.root, MaxKeys: 1 }));
    } catch (error) {
      const translated = translateS3Error(error, '');
      if (translated instanceof PermissionDeniedError) return translated;
    }
    return bare;
  }

  async close(): Promise<void> {
    this.#ctx.client.destroy();
  }
}

function bucketMissing(bucket: string) {
  return translateS3Error({ name: 'NoSuchBucket', message: `bucket ${bucket} not found` }, '');
}
