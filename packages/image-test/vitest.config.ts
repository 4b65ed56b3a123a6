import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestOptions,
    include: ['src/**/*.test.ts'],
    // One real S3 server for the run (TEST_S3_ENDPOINT under ./scripts/test), for the S3 variant.
    globalSetup: [fileURLToPath(new URL('../s3-connector/src/testing/global-setup.ts', import.meta.url))],
    // Each file lays out an image root and starts a dozen pods; one file at a time on 2 cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
