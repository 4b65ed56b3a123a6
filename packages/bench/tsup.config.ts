import { defineConfig } from 'tsup';

// Two programs: the whole benchmark, and a CPU profile of one connector under the 1 KiB load.
// Dependencies stay external (they are in node_modules beside the package; nothing ships this).
export default defineConfig({
  entry: ['src/bench.ts', 'src/profile.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node22',
  clean: true,
  sourcemap: true,
});
