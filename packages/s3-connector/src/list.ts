/**
 * Listing with ListObjectsV2 (docs/keys.md#listing): paginated, keys and CommonPrefixes merged across
 * pages as they arrive, the storage prefix stripped, sorted by byte order like every other backend.
 */
import { ListObjectsV2Command, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { type Listing, ListingBuilder, type ListOptions } from '@state-proxy/connector-core';
import type { WriteContext } from './writes.js';

const PAGE_SIZE = 1000;

export async function listObjects(
  { client, settings, keys }: WriteContext,
  options: ListOptions,
): Promise<Listing> {
  const listing = new ListingBuilder(options);
  let token: string | undefined;
  do {
    const wanted = options.limit === undefined ? PAGE_SIZE : options.limit - listing.size;
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({
        Bucket: settings.bucket,
        Prefix: keys.toBackend(options.prefix),
        // Empty delimiter: a recursive listing (S3 treats a missing Delimiter that way).
        ...(options.delimiter === '' ? {} : { Delimiter: options.delimiter }),
        MaxKeys: Math.max(1, Math.min(PAGE_SIZE, wanted)),
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) {
      const key = object.Key === undefined ? undefined : keys.fromBackend(object.Key);
      // Skip directory markers ('a/' objects made by other tools): not valid keys here.
      if (key && !key.endsWith('/')) listing.addKey(key);
    }
    for (const common of page.CommonPrefixes ?? []) {
      const prefix = common.Prefix === undefined ? undefined : keys.fromBackend(common.Prefix);
      if (prefix) listing.addPrefix(prefix);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined && !listing.full);
  return listing.result();
}
