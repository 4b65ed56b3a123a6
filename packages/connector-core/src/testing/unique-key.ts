import { randomBytes } from 'node:crypto';

let counter = 0;
/** A key no other test uses, so tests do not depend on each other. */
export function uniqueKey(name: string): string {
  counter += 1;
  return `t${counter}-${randomBytes(3).toString('hex')}/${name}`;
}

/** A STATE_PREFIX no other run uses: a fresh, empty namespace on a shared backend. */
export function uniquePrefix(name = 'test'): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}
