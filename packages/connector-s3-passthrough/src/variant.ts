// How the tests start this variant: its bundle, built by `pnpm build` before `pnpm test`.
import { fileURLToPath } from 'node:url';
import type { VariantUnderTest } from '@state-proxy/s3-connector/testing';

export const variant: VariantUnderTest = {
  name: 's3-passthrough',
  entry: fileURLToPath(new URL('../dist/main.cjs', import.meta.url)),
  consistency: 'lww',
  writeMode: 'streaming',
};
