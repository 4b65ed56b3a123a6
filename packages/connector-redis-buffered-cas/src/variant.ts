/** redis-buffered-cas: values are Redis strings, bodies spooled whole, writes compare-and-set. */
import { MiB, type VariantDeclaration } from '@state-proxy/connector-core';

export const variant = {
  name: 'redis-buffered-cas',
  consistency: 'cas',
  writeMode: 'buffered',
  defaultMaxBodyBytes: 512 * MiB,
  attributes: ['ttl'],
} satisfies VariantDeclaration;
