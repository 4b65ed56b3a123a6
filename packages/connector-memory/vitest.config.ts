import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.js';

export default defineConfig({
  test: { ...sharedTestOptions, testTimeout: 30_000, hookTimeout: 30_000 },
});
