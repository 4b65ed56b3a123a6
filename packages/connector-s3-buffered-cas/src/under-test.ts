// How the tests start this variant: its bundle, built by `pnpm build` before `pnpm test`.
import { fileURLToPath } from 'node:url';
import type { VariantUnderTest } from '@state-proxy/s3-connector/testing';
import { variant } from './variant.js';

export const underTest: VariantUnderTest = {
  ...variant,
  entry: fileURLToPath(new URL('../dist/main.cjs', import.meta.url)),
  // Here only: a CAS variant, for the reads; the S3 variants list alike; the server is slow to fill.
  volume: { reads: 6_000, listedKeys: 10_000, listedKeyBytes: 900, image: { heapMiB: 32, memoryMiB: 128 } },
};
