import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.js';

export default defineConfig({
  test: {
    ...sharedTestOptions,
    include: ['src/**/*.test.ts'],
    // A RadosGW starts in ~2.5 s on an idle machine; a loaded CI machine can take far longer.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
