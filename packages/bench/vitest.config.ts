import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../vitest.shared.js';

// Only the pure helpers are unit-tested; the benchmark itself is run by `pnpm bench`.
export default defineConfig({ test: { ...sharedTestOptions, include: ['src/**/*.test.ts'] } });
