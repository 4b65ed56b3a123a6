import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestOptions,
    // One real S3 server (RadosGW here) for the whole run, shared by the test files.
    globalSetup: [fileURLToPath(new URL('../s3-connector/src/testing/global-setup.ts', import.meta.url))],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
