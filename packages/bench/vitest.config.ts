import { defineConfig } from 'vitest/config';

// Only the pure helpers are unit-tested; the benchmark itself is run by `pnpm bench`.
export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
