// Shared tsup settings for a connector variant: one self-contained ESM file, dist/main.js,
// that runs with no node_modules beside it.
import { defineConfig } from 'tsup';

export function bundleConfig() {
  return defineConfig({
    entry: { main: 'src/main.ts' },
    format: 'esm',
    platform: 'node',
    target: 'node22',
    clean: true,
    minify: false,
    sourcemap: false,
    splitting: false,
    noExternal: [/.*/],
    // Bundled CommonJS dependencies call require() for Node built-ins; ESM has no require.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}
