import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // A RadosGW starts in ~2.5 s on an idle machine; a loaded CI machine can take far longer.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
