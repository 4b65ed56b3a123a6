/**
 * Extended attributes of S3 objects (docs/attributes.md#s3). Every attribute of a missing key is 404; only
 * `content_type` is writable, by a metadata-replacing self-copy that makes a new version.
 */
import { CopyObjectCommand, GetObjectCommand, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  BadRequestError,
  ConflictError,
  type ETag,
  KeyNotFoundError,
  PermissionDeniedError,
  UnsupportedAttributeError,
  type WriteCondition,
} from '@state-proxy/connector-core';
import { S3_ATTRIBUTES } from './attribute-names.js';
import { conflictOf } from './conditions.js';
import { unquoteEtag } from './etags.js';
import { headObject } from './head.js';
import type { WriteContext } from './writes.js';

const WRITABLE = new Set(['content_type']);

type Head = HeadObjectCommandOutput;
const readers: Record<string, (ctx: WriteContext, key: string, head: Head) => string | Promise<string>> = {
  url: (ctx, key) => `s3://${ctx.settings.bucket}/${ctx.keys.toBackend(key)}`,
  presigned_url: (ctx, key) =>
    getSignedUrl(
      ctx.client,
      new GetObjectCommand({ Bucket: ctx.settings.bucket, Key: ctx.keys.toBackend(key) }),
      {
        expiresIn: ctx.settings.presignTtlSeconds,
      },
    ),
  etag: (_ctx, _key, head) => unquoteEtag(head.ETag) ?? '',
  content_type: (_ctx, _key, head) => head.ContentType ?? 'application/octet-stream',
  // Unversioned buckets have no VersionId; S3 itself calls that version 'null'.
  version: (_ctx, _key, head) => head.VersionId ?? 'null',
  storage_class: (_ctx, _key, head) => head.StorageClass ?? 'STANDARD',
  size: (_ctx, _key, head) => String(head.ContentLength ?? 0),
};

async function existing(ctx: WriteContext, key: string): Promise<Head> {
  const head = await headObject(ctx, key);
  if (head === undefined) throw new KeyNotFoundError(key);
  return head;
}

export async function listAttributes(ctx: WriteContext, key: string): Promise<string[]> {
  await existing(ctx, key);
  return [...S3_ATTRIBUTES];
}

export async function getAttribute(ctx: WriteContext, key: string, name: string): Promise<string> {
  const head = await existing(ctx, key);
  const read = readers[name];
  if (!read) throw new UnsupportedAttributeError(name);
  return await read(ctx, key, head);
}

export async function setAttribute(
  ctx: WriteContext,
  key: string,
  name: string,
  value: string,
  condition?: WriteCondition,
): Promise<{ etag?: ETag }> {
  const head = await existing(ctx, key);
  if (!readers[name]) throw new UnsupportedAttributeError(name);
  if (!WRITABLE.has(name)) throw new PermissionDeniedError(`attribute ${name} is read-only`);
  // The CAS memory's expected version: relabelling someone else's newer content would make the
  // connector remember a version its handler never read.
  if (
    condition?.kind === 'absent' ||
    (condition?.kind === 'match' && condition.etag !== unquoteEtag(head.ETag))
  ) {
    throw new ConflictError(key);
  }
  return { etag: await replaceContentType(ctx, key, head, checkContentType(value)) };
}

function checkContentType(value: string): string {
  const trimmed = value.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a header value must not contain them
  if (trimmed === '' || trimmed.length > 256 || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new BadRequestError('content_type must be a non-empty media type without control characters');
  }
  return trimmed;
}

/**
 * Copies the object onto itself with new metadata. CopySourceIfMatch pins the copy to the version
 * just read, so a concurrent write is not silently re-labelled (it becomes a 409).
 */
async function replaceContentType(
  ctx: WriteContext,
  key: string,
  head: Head,
  contentType: string,
): Promise<ETag> {
  const objectKey = ctx.keys.toBackend(key);
  const etag = unquoteEtag(head.ETag);
  try {
    const result = await ctx.client.send(
      new CopyObjectCommand({
        Bucket: ctx.settings.bucket,
        Key: objectKey,
        CopySource: `${ctx.settings.bucket}/${objectKey.split('/').map(encodeURIComponent).join('/')}`,
        ...(etag ? { CopySourceIfMatch: head.ETag } : {}),
        MetadataDirective: 'REPLACE',
        ContentType: contentType,
        // REPLACE drops what we do not repeat: keep the rest of the object's metadata.
        Metadata: head.Metadata,
        CacheControl: head.CacheControl,
        ContentDisposition: head.ContentDisposition,
        ContentEncoding: head.ContentEncoding,
        ContentLanguage: head.ContentLanguage,
        ...(head.StorageClass ? { StorageClass: head.StorageClass } : {}),
      }),
    );
    const newEtag = unquoteEtag(result.CopyObjectResult?.ETag);
    if (newEtag !== undefined) return newEtag;
  } catch (error) {
    throw (
      (await conflictOf(error, key, { kind: 'match', etag: etag ?? '' }, async () =>
        unquoteEtag((await headObject(ctx, key))?.ETag),
      )) ?? error
    );
  }
  return unquoteEtag((await existing(ctx, key)).ETag) ?? '';
}
