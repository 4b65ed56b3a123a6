// The vitest config of the three S3 variant packages (their test script names it): one real S3
// server (RadosGW here) for the whole run, shared by the test files.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestOptions,
    globalSetup: [fileURLToPath(new URL('src/testing/global-setup.ts', import.meta.url))],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
