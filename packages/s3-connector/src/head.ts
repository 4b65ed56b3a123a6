/**
 * HeadObject as "the current version of a key, or undefined": used by stat, delete, xattrs and
 * conditions. Other failures are thrown as the SDK raised them (the connector translates them).
 */
import { HeadObjectCommand, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { isNotFound } from './errors.js';
import type { WriteContext } from './writes.js';

export async function headObject(
  { client, settings, keys }: WriteContext,
  key: string,
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: settings.bucket, Key: keys.toBackend(key) }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
