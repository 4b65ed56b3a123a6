import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/demo.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node22',
  clean: true,
  // connector-core exports its TypeScript sources: bundled, not loaded at run time.
  noExternal: [/^@state-proxy\/connector-core/],
});
