/** Key mapping (docs/keys.md#backend-keys): `{prefix}/{key}` in the bucket, `key` when there is no prefix. */
import { KeyNamespace } from '@state-proxy/connector-core';

export class S3Paths {
  readonly #namespace: KeyNamespace;

  constructor(
    readonly bucket: string,
    prefix: string,
  ) {
    // `models/v2/` and `models/v2` are the same mount: no double slash in the object keys.
    this.#namespace = new KeyNamespace(prefix.replace(/\/+$/, ''), '/');
  }

  /** Everything this mount owns starts with this ('' or 'prefix/'). */
  get root(): string {
    return this.#namespace.root;
  }

  /** S3's 1024-byte object key limit, less the root. */
  get maxKeyBytes(): number {
    return this.#namespace.maxKeyBytes;
  }

  /** The object key of a mount key (or of a listing prefix). */
  objectKey(key: string): string {
    return this.#namespace.toBackend(key);
  }

  /** The mount key of an object key under root, or undefined for anything else. */
  mountKey(objectKey: string): string | undefined {
    return this.#namespace.fromBackend(objectKey);
  }

  url(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }
}
