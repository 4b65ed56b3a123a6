/**
 * redis-buffered-cas: values are Redis strings, bodies spooled whole, writes compare-and-set.
 * Types only from core: tools (bench, demo) load declarations without the runtime.
 */
import type { VariantDeclaration } from '@state-proxy/connector-core';

export const variant = {
  name: 'redis-buffered-cas',
  consistency: 'cas',
  writeMode: 'buffered',
  defaultMaxBodyBytes: 512 * 1024 ** 2,
  attributes: ['ttl'],
} satisfies VariantDeclaration;
