/** ETags and write conditions: the one place that knows about quotes. */
import { type ETag, unquoteETag, type WriteCondition } from '@state-proxy/connector-core';
import type { IfMatchFormat } from './config.js';

/** S3 returns `"abc"` (and some servers `W/"abc"`); undefined when it returned none. */
export function unquoteEtag(raw: string | undefined): ETag | undefined {
  return raw === undefined ? undefined : unquoteETag(raw) || undefined;
}

/** The conditional headers of a write (PutObject, CompleteMultipartUpload, CopyObject source). */
export function conditionParams(
  condition: WriteCondition | undefined,
  format: IfMatchFormat,
): { IfNoneMatch?: string; IfMatch?: string } {
  if (condition === undefined) return {};
  if (condition.kind === 'absent') return { IfNoneMatch: '*' };
  return { IfMatch: formatIfMatch(condition.etag, format) };
}

/**
 * RadosGW/DigitalOcean match only the bare ETag (docs/s3-compatibility.md#if-match-quoting);
 * 'quoted' is the RFC 7232 form.
 */
export function formatIfMatch(etag: ETag, format: IfMatchFormat): string {
  return format === 'quoted' ? `"${etag}"` : etag;
}
