/**
 * redis-buffered-cas: values are Redis strings, writes compare-and-set. Core's `streaming` write
 * mode: the connector gets the live body and stages it in Redis itself, never on disk; the name's
 * "buffered" is what a client sees: a value is replaced whole, once its whole body has arrived.
 * Types only from core: tools (bench, demo) load declarations without the runtime.
 */
import type { VariantDeclaration } from '@state-proxy/connector-core';

export const variant = {
  name: 'redis-buffered-cas',
  consistency: 'cas',
  writeMode: 'streaming',
  defaultMaxBodyBytes: 512 * 1024 ** 2,
  attributes: ['ttl'],
} satisfies VariantDeclaration;
