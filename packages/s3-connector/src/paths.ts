/** Key mapping (docs/keys.md#backend-keys): `{prefix}/{key}` in the bucket, `key` when there is no prefix. */
import { keyBytesUnder } from '@state-proxy/connector-core';

export class S3Paths {
  /** Everything this mount owns starts with this ('' or 'prefix/'). */
  readonly root: string;
  /** S3's 1024-byte object key limit, less the root. */
  readonly maxKeyBytes: number;

  constructor(
    readonly bucket: string,
    prefix: string,
  ) {
    const trimmed = prefix.replace(/\/+$/, '');
    this.root = trimmed === '' ? '' : `${trimmed}/`;
    this.maxKeyBytes = keyBytesUnder(this.root);
  }

  /** The object key of a mount key (or of a listing prefix). */
  objectKey(key: string): string {
    return this.root + key;
  }

  /** The mount key of an object key under root, or undefined for anything else. */
  mountKey(objectKey: string): string | undefined {
    return objectKey.startsWith(this.root) ? objectKey.slice(this.root.length) : undefined;
  }

  url(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }
}
