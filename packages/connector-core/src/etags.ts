/** ETags on the wire are quoted (RFC 9110); the Connector interface and backends speak bare values. */
import { hash } from 'node:crypto';
import type { ETag } from './connector.js';

/**
 * An ETag made from the content itself, for backends that keep no version of their own: the
 * lowercase hex SHA-1, the digest Redis's Lua `redis.sha1hex` computes, so a script can compare it.
 */
export function contentEtag(value: Buffer): ETag {
  return hash('sha1', value, 'hex');
}

export function quoteETag(etag: ETag): string {
  return `"${etag}"`;
}

/** Accepts `"abc"`, `W/"abc"` and a bare `abc`; returns the unquoted tag (empty if there is none). */
export function unquoteETag(value: string): ETag {
  let tag = value.trim();
  if (tag.startsWith('W/')) tag = tag.slice(2);
  if (tag.length >= 2 && tag.startsWith('"') && tag.endsWith('"')) tag = tag.slice(1, -1);
  return tag;
}
