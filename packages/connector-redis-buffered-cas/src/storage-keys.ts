/**
 * Where a key lives in Redis (docs/keys.md#backend-keys): `{STATE_PREFIX}:{key}`, or just `{key}`
 * without a prefix; and the SCAN pattern that finds the keys under a listing prefix.
 */
import { KeyNamespace } from '@state-proxy/connector-core';

export class StorageKeys {
  readonly #namespace: KeyNamespace;

  constructor(prefix: string) {
    this.#namespace = new KeyNamespace(prefix, ':');
  }

  /** The key limit counts the namespace, as on every backend (Redis itself would take more). */
  get maxKeyBytes(): number {
    return this.#namespace.maxKeyBytes;
  }

  toStorage(key: string): string {
    return this.#namespace.toBackend(key);
  }

  /** The mount-relative key, or undefined for a Redis key outside our namespace. */
  fromStorage(storageKey: string): string | undefined {
    return this.#namespace.fromBackend(storageKey);
  }

  /** A SCAN MATCH pattern for every key under `listPrefix`, matching the prefix literally. */
  matchPattern(listPrefix: string): string {
    return `${escapeGlob(this.#namespace.toBackend(listPrefix))}*`;
  }
}

/** Escapes Redis glob characters (`* ? [ ] \`), so a prefix like `a[1]` matches only itself. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}
