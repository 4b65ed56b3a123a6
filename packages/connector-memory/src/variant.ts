/** The reference connector: process memory, compare-and-set, a `ttl` attribute. */
import type { VariantDeclaration } from '@state-proxy/connector-core';

export const variant = {
  name: 'memory',
  consistency: 'cas',
  writeMode: 'buffered',
  defaultMaxBodyBytes: 512 * 1024 ** 2,
  attributes: ['ttl'],
} satisfies VariantDeclaration;
