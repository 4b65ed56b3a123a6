// Shared tsup settings for a connector variant: one self-contained ESM file, dist/main.js,
// that runs with no node_modules beside it. `overrides` serve other bundles built the same way
// (the bench's floor servers).
import { defineConfig } from 'tsup';

export function bundleConfig(overrides = {}) {
  return defineConfig({
    entry: { main: 'src/main.ts' },
    format: 'esm',
    platform: 'node',
    target: 'node22',
    clean: true,
    // Whitespace and comments only: names stay, so stack traces still read. Node keeps a module's
    // source in memory, and one non-ASCII character in a comment makes V8 store all of it as
    // two-byte text: the Redis bundle's source took 3.5 MiB of heap unminified, 1 MiB now.
    minifyWhitespace: true,
    sourcemap: false,
    splitting: false,
    noExternal: [/.*/],
    // Bundled CommonJS dependencies call require() for Node built-ins; ESM has no require.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    ...overrides,
  });
}
