/** ETags on the wire are quoted (RFC 9110); the Connector interface and backends speak bare values. */
import type { ETag } from './connector.js';

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
