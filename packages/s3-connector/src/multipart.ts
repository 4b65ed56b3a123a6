/**
 * Streams a body of unknown length into S3 with memory bounded by (queueSize + 1) x partSize,
 * each part buffer a share of the memory budget: the first one waited for, more taken only while
 * the budget has room (else the upload goes one part at a time).
 *
 * Why not lib-storage's Upload: it re-concatenates incoming chunks into a fresh Buffer per part,
 * and those short-lived multi-MiB buffers are freed only when V8 gets round to a full GC, so a
 * 1 GiB upload grew the process by ~60 MiB more than its parts. Here a fixed set of part buffers
 * is reused: filled from the request, sent, refilled.
 *
 * A body that fits in one part goes as one PutObject. Otherwise the condition (If-None-Match /
 * If-Match) travels on CompleteMultipartUpload, the request that makes the object visible. On any
 * failure (the body stream errors on client disconnect or size limit, a part fails) the parts in
 * flight settle and the multipart upload is aborted, so no parts are left behind.
 */
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { countTransferred, type MemoryBudget, type Reservation } from '@state-proxy/connector-core';

export interface MultipartTarget {
  client: S3Client;
  bucket: string;
  objectKey: string;
  partSize: number;
  /** Parts uploading at once. */
  queueSize: number;
  memory: MemoryBudget;
  /** If-None-Match / If-Match of the write. */
  conditions: { IfNoneMatch?: string; IfMatch?: string };
}

/**
 * Resolves with the ETag S3 returned, possibly empty: RadosGW's CompleteMultipartUpload
 * (docs/s3-compatibility.md#empty-etag-from-completemultipartupload).
 */
export async function streamToS3(source: Readable, target: MultipartTarget): Promise<string | undefined> {
  const upload = new PartUploader(target);
  try {
    for await (const chunk of source) {
      countTransferred((chunk as Buffer).length);
      await upload.write(chunk as Buffer);
    }
    const etag = await upload.finish();
    upload.releaseBuffers();
    return etag;
  } catch (error) {
    await upload.abort();
    throw error;
  }
}

class PartUploader {
  readonly #t: MultipartTarget;
  readonly #free: Buffer[] = [];
  readonly #allocated: Buffer[] = [];
  /** The budget shares of #allocated, given back when the upload ends either way. */
  readonly #shares: Reservation[] = [];
  #current: Buffer | undefined;
  #filled = 0;
  /** A full part held back until more bytes show it is not the last one. */
  #full: Buffer | undefined;
  #partNumber = 0;
  readonly #parts: CompletedPart[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;
  #uploadId: Promise<string> | undefined;

  constructor(target: MultipartTarget) {
    this.#t = target;
  }

  async write(chunk: Buffer): Promise<void> {
    for (let offset = 0; offset < chunk.length; ) {
      this.#throwIfFailed();
      if (this.#current === undefined) {
        if (this.#full) await this.#send(this.#full, this.#t.partSize);
        this.#full = undefined;
        this.#current = await this.#acquire();
        this.#filled = 0;
      }
      const copied = chunk.copy(this.#current, this.#filled, offset);
      this.#filled += copied;
      offset += copied;
      if (this.#filled === this.#t.partSize) {
        this.#full = this.#current;
        this.#current = undefined;
      }
    }
  }

  async finish(): Promise<string | undefined> {
    this.#throwIfFailed();
    const [last, size] = this.#full ? [this.#full, this.#t.partSize] : [this.#current, this.#filled];
    if (this.#partNumber === 0) return await this.#putWhole(last?.subarray(0, size) ?? Buffer.alloc(0));
    if (last !== undefined && size > 0) await this.#send(last, size);
    await Promise.all(this.#inFlight);
    this.#throwIfFailed();
    const { client, bucket, objectKey, conditions } = this.#t;
    const result = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: objectKey,
        UploadId: await this.#ensureUpload(),
        MultipartUpload: {
          Parts: [...this.#parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0)),
        },
        ...conditions,
      }),
    );
    this.#uploadId = undefined; // completed: nothing to abort any more
    return result.ETag;
  }

  /**
   * Frees the part buffers now rather than at V8's next full GC (they live long enough to reach
   * the old generation, which a small heap rarely collects): detaching an ArrayBuffer releases its
   * memory at once. Only after success, when every request that read them has been answered.
   */
  releaseBuffers(): void {
    for (const buffer of this.#allocated.splice(0)) {
      (buffer.buffer as ArrayBuffer & { transfer?(length: number): ArrayBuffer }).transfer?.(0);
    }
    this.#free.length = 0;
    this.#releaseShares();
  }

  #releaseShares(): void {
    for (const share of this.#shares.splice(0)) share.release();
  }

  /** Lets the parts in flight settle, then aborts the multipart upload if there is one. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.#inFlight);
    this.#releaseShares(); // no part buffer is read any more
    const uploadId = await this.#uploadId?.catch(() => undefined);
    if (uploadId === undefined) return;
    const { client, bucket, objectKey } = this.#t;
    // Best effort: a bucket lifecycle rule (this package's README) cleans up if S3 is unreachable right now.
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: objectKey, UploadId: uploadId }))
      .catch(() => {});
  }

  async #putWhole(body: Buffer): Promise<string | undefined> {
    const { client, bucket, objectKey, conditions } = this.#t;
    const result = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: objectKey,
        Body: body,
        ContentLength: body.length,
        ...conditions,
      }),
    );
    return result.ETag;
  }

  #ensureUpload(): Promise<string> {
    const { client, bucket, objectKey } = this.#t;
    this.#uploadId ??= client
      .send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: objectKey }))
      .then((res) => res.UploadId ?? Promise.reject(new Error('CreateMultipartUpload returned no UploadId')));
    return this.#uploadId;
  }

  /** Starts uploading `buffer` as the next part once a slot is free; the buffer returns to the pool after. */
  async #send(buffer: Buffer, size: number): Promise<void> {
    while (this.#inFlight.size >= this.#t.queueSize) await Promise.race(this.#inFlight);
    this.#throwIfFailed();
    const partNumber = ++this.#partNumber;
    const { client, bucket, objectKey } = this.#t;
    const sending: Promise<void> = (async () => {
      const uploadId = await this.#ensureUpload();
      const res = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: objectKey,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: buffer.subarray(0, size),
          ContentLength: size,
        }),
      );
      this.#parts.push({ PartNumber: partNumber, ETag: res.ETag });
      this.#free.push(buffer);
    })()
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => this.#inFlight.delete(sending));
    this.#inFlight.add(sending);
  }

  async #acquire(): Promise<Buffer> {
    for (;;) {
      this.#throwIfFailed();
      const reused = this.#free.pop();
      if (reused) return reused;
      if (this.#allocated.length < this.#t.queueSize + 1) {
        // Every other buffer is free or in flight, so without a share this upload waits for one.
        const share =
          this.#allocated.length === 0
            ? await this.#t.memory.reserve(this.#t.partSize)
            : this.#t.memory.tryReserve(this.#t.partSize);
        if (share) {
          this.#shares.push(share);
          // Uninitialised: pages a small body never touches are never resident.
          const buffer = Buffer.allocUnsafeSlow(this.#t.partSize);
          this.#allocated.push(buffer);
          return buffer;
        }
      }
      await Promise.race(this.#inFlight);
    }
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
