import { defineConfig } from 'tsup';

// Three programs: the whole benchmark, a CPU profile of one connector under the 1 KiB load, and
// one connector in a memory-limited cgroup as in a container (container.ts).
// Dependencies stay external (they are in node_modules beside the package; nothing ships this).
export default defineConfig({
  entry: ['src/bench.ts', 'src/profile.ts', 'src/container.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node22',
  clean: true,
  sourcemap: true,
});
