// How the tests start this variant: its bundle, built by `pnpm build` before `pnpm test`.
import { fileURLToPath } from 'node:url';
import type { VariantUnderTest } from '@state-proxy/s3-connector/testing';
import { variant } from './variant.js';

export const underTest: VariantUnderTest = {
  ...variant,
  entry: fileURLToPath(new URL('../dist/main.cjs', import.meta.url)),
};
