/** The reference connector: process memory, compare-and-set, a `ttl` attribute. */
import { MiB, type VariantDeclaration } from '@state-proxy/connector-core';

export const variant = {
  name: 'memory',
  consistency: 'cas',
  writeMode: 'buffered',
  defaultMaxBodyBytes: 512 * MiB,
  attributes: ['ttl'],
} satisfies VariantDeclaration;
