import { defineConfig } from 'tsup';
import { bundleConfig } from '../../scripts/tsup-bundle.js';
import { redisClientCommandsOnly } from '../../scripts/tsup-redis-client.js';

// The programs: the whole benchmark, a CPU profile of one connector under the 1 KiB load, one
// variant's image in the container engine (container.ts), and the runtime scenario (runtime.ts).
// Their dependencies stay external (they are in node_modules beside the package).
//
// The floors (src/floors/: the minimal servers runtime.ts compares the connectors with, and each
// behind hono, what the framework costs by itself) are built as the connectors are
// (scripts/tsup-bundle.js): one self-contained file each, so a floor's start-up and memory
// compare with a connector bundle's. Both configs build at once, so the first
// leaves dist/floors/ to the second.
export default defineConfig([
  {
    entry: ['src/bench.ts', 'src/profile.ts', 'src/container.ts', 'src/runtime.ts'],
    format: 'esm',
    platform: 'node',
    target: 'node22',
    clean: ['!floors/**'],
    sourcemap: true,
    // Workspace packages that export their TypeScript sources: bundled, not loaded at run time.
    noExternal: [/^@state-proxy\/(connector-|variants|image-test|s3-connector\/attribute-names)/],
  },
  // The Redis floor uses node-redis as the connector does, so it is trimmed the same way.
  bundleConfig({
    entry: {
      redis: 'src/floors/redis.ts',
      'redis-hono': 'src/floors/redis-hono.ts',
      s3: 'src/floors/s3.ts',
      's3-hono': 'src/floors/s3-hono.ts',
    },
    outDir: 'dist/floors',
    esbuildPlugins: [redisClientCommandsOnly],
  }),
]);
