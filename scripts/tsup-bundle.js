// Shared tsup settings for a connector variant: one self-contained CommonJS file, dist/main.cjs,
// that runs with no node_modules beside it. `overrides` serve other bundles built the same way
// (the bench's floor servers).
//
// CommonJS, not ESM: an ES module goes through Node's ESM loader (resolve, link, evaluate jobs)
// and `import 'node:http'` builds an ESM facade of the module, whose getters load undici; a
// CommonJS file is compiled and run at once. Measured with the compile cache, Redis connector,
// median of 21 cold starts: 168 ms as ESM, 144 ms as CommonJS (bare node:http server: 86 ms).
import { defineConfig } from 'tsup';

export function bundleConfig(overrides = {}) {
  return defineConfig({
    entry: { main: 'src/main.ts' },
    format: 'cjs',
    platform: 'node',
    target: 'node22',
    clean: true,
    // Whitespace and comments only: names stay, so stack traces still read. Node keeps a module's
    // source in memory, and one non-ASCII character in a comment makes V8 store all of it as
    // two-byte text (the Redis bundle's source: 3.5 MiB of heap with comments, 1 MiB without).
    minifyWhitespace: true,
    sourcemap: false,
    splitting: false,
    noExternal: [/.*/],
    ...overrides,
  });
}
