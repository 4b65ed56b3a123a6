/**
 * HeadObject as "the current version of a key, or undefined": used by stat, delete, xattrs and
 * conditions. Other failures are thrown as the SDK raised them (the connector translates them).
 */
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from './errors.js';
import type { S3Paths } from './paths.js';

export async function headObject(
  client: S3Client,
  paths: S3Paths,
  key: string,
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await client.send(new HeadObjectCommand({ Bucket: paths.bucket, Key: paths.objectKey(key) }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
