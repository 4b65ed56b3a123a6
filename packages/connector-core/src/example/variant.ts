// The example's declaration. Types only from core: tools load a declaration without the runtime.
import type { VariantDeclaration } from '@state-proxy/connector-core';

export const variant = {
  name: 'map',
  consistency: 'lww',
  writeMode: 'buffered',
  defaultMaxBodyBytes: 64 * 1024 ** 2,
  attributes: [],
} satisfies VariantDeclaration;
