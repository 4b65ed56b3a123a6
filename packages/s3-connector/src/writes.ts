/**
 * The two write paths. Both put the condition on the request that makes the object visible
 * (PutObject, or CompleteMultipartUpload), so If-None-Match / If-Match are checked atomically by S3.
 */
import type { Readable } from 'node:stream';
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import {
  ConflictError,
  ConnectorError,
  type ETag,
  GiB,
  type KeyNamespace,
  type MemoryBudget,
  MiB,
  TooLargeError,
  type WriteBody,
  type WriteCondition,
} from '@state-proxy/connector-core';
import { conflictOf } from './conditions.js';
import type { S3Settings } from './config.js';
import { conditionParams, unquoteEtag } from './etags.js';
import { headObject } from './head.js';
import { streamToS3 } from './multipart.js';

/** The largest single PutObject S3 accepts. */
export const MAX_PUT_BYTES = 5 * GiB;
/** Bodies up to this size are sent from one Buffer, which the SDK can retry; larger ones stream. */
const BUFFER_PUT_BYTES = 8 * MiB;

export interface WriteContext {
  client: S3Client;
  /** Where the mount's keys live in the bucket: `{STATE_PREFIX}/{key}`, or `{key}` without a prefix. */
  keys: KeyNamespace;
  settings: S3Settings;
  /** Shared with the HTTP layer: a body read whole or a part buffer holds its share of it. */
  memory: MemoryBudget;
}

/** Buffered variants: one PutObject with a known length. */
export async function putBuffered(
  ctx: WriteContext,
  key: string,
  body: WriteBody,
  condition: WriteCondition | undefined,
): Promise<{ etag: ETag }> {
  if (body.length !== undefined && body.length > MAX_PUT_BYTES) throw new TooLargeError(MAX_PUT_BYTES);
  // Small (or, never in practice, unsized) bodies go as one Buffer the SDK can retry; larger
  // spooled bodies stream from their temp file with their known length.
  if (body.length !== undefined && body.length > BUFFER_PUT_BYTES)
    return putStream(ctx, key, body, condition);
  return putWhole(ctx, key, await body.buffer(), condition);
}

/**
 * Streaming variant: the live body goes to S3 as it arrives (multipart.ts), memory bounded by
 * (queueSize + 1) x partSize whatever the length; a body that fits in one part is one PutObject.
 */
export async function putStreaming(
  ctx: WriteContext,
  key: string,
  body: WriteBody,
  condition: WriteCondition | undefined,
): Promise<{ etag: ETag }> {
  // A body known to fit in one part needs no multipart machinery (nor its part buffers): read
  // whole while the memory budget has room for it, else streamed through as it arrives.
  if (body.length !== undefined && body.length <= Math.min(ctx.settings.partSizeBytes, BUFFER_PUT_BYTES)) {
    const share = ctx.memory.tryReserve(body.length);
    if (share === undefined) return putStream(ctx, key, body, condition);
    try {
      return await putWhole(ctx, key, await body.buffer(), condition);
    } finally {
      share.release();
    }
  }
  if (condition) await failEarly(ctx, key, condition);
  const tracked = trackErrors(body.stream());
  return await guarded(ctx, key, condition, tracked, async () => {
    const etag = await streamToS3(tracked.stream, {
      client: ctx.client,
      bucket: ctx.settings.bucket,
      objectKey: ctx.keys.toBackend(key),
      partSize: ctx.settings.partSizeBytes,
      queueSize: ctx.settings.queueSize,
      memory: ctx.memory,
      conditions: conditionParams(condition, ctx.settings.ifMatchFormat),
    });
    // RadosGW answers CompleteMultipartUpload with an empty ETag: guarded() reads it back
    // (docs/s3-compatibility.md#empty-etag-from-completemultipartupload).
    return unquoteEtag(etag);
  });
}

/** One PutObject from a Buffer. */
function putWhole(
  ctx: WriteContext,
  key: string,
  buffer: Buffer,
  condition: WriteCondition | undefined,
): Promise<{ etag: ETag }> {
  const params: PutObjectCommandInput = {
    ...baseParams(ctx, key, condition),
    Body: buffer,
    ContentLength: buffer.length,
  };
  return guarded(ctx, key, condition, undefined, async () =>
    unquoteEtag((await ctx.client.send(new PutObjectCommand(params))).ETag),
  );
}

/** One PutObject streaming a body of known length. */
function putStream(
  ctx: WriteContext,
  key: string,
  body: WriteBody,
  condition: WriteCondition | undefined,
): Promise<{ etag: ETag }> {
  const tracked = trackErrors(body.stream());
  const params: PutObjectCommandInput = {
    ...baseParams(ctx, key, condition),
    Body: tracked.stream,
    ContentLength: body.length,
  };
  return guarded(ctx, key, condition, tracked, async () =>
    unquoteEtag((await ctx.client.send(new PutObjectCommand(params))).ETag),
  );
}

function baseParams(ctx: WriteContext, key: string, condition: WriteCondition | undefined) {
  return {
    Bucket: ctx.settings.bucket,
    Key: ctx.keys.toBackend(key),
    ...conditionParams(condition, ctx.settings.ifMatchFormat),
  };
}

/**
 * Runs a write. When the body stream failed, that failure is the answer (its ConnectorError, e.g.
 * 413, or the client's disconnect); a conditional write's failure may mean a conflict (conflictOf);
 * anything else is thrown as it is, for the connector to translate. When the server returned no
 * ETag, it is read back with HeadObject.
 */
async function guarded(
  ctx: WriteContext,
  key: string,
  condition: WriteCondition | undefined,
  tracked: Tracked | undefined,
  send: () => Promise<ETag | undefined>,
): Promise<{ etag: ETag }> {
  let etag: ETag | undefined;
  try {
    etag = await send();
  } catch (error) {
    if (tracked?.error !== undefined) throw tracked.error;
    if (condition === undefined) throw error;
    throw (
      (await conflictOf(error, key, condition, async () =>
        unquoteEtag((await headObject(ctx, key))?.ETag),
      )) ?? error
    );
  }
  if (etag === undefined) {
    // Not atomic with the write; LWW-only path in practice (multipart on RadosGW).
    // See docs/s3-compatibility.md#empty-etag-from-completemultipartupload.
    etag = unquoteEtag((await headObject(ctx, key))?.ETag);
  }
  if (etag === undefined)
    throw new ConnectorError('internal_error', 'S3 returned no ETag for the written object');
  return { etag };
}

/**
 * An extra early-out before streaming a body that cannot be stored: the atomic check stays on
 * the completing request; this only avoids uploading gigabytes that would then be refused.
 */
async function failEarly(ctx: WriteContext, key: string, condition: WriteCondition): Promise<void> {
  const current = unquoteEtag((await headObject(ctx, key))?.ETag);
  const holds = condition.kind === 'absent' ? current === undefined : current === condition.etag;
  if (!holds) throw new ConflictError(key);
}

interface Tracked {
  stream: Readable;
  error: unknown;
}

/** Remembers the first error of a body stream, so a failed write reports the body's fault as such. */
function trackErrors(stream: Readable): Tracked {
  const tracked: Tracked = { stream, error: undefined };
  stream.once('error', (error) => {
    tracked.error = error;
  });
  return tracked;
}
