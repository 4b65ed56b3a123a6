import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/demo.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node22',
  clean: true,
  // Workspace packages that export their TypeScript sources: bundled, not loaded at run time.
  noExternal: [/^@state-proxy\/(connector-|variants|s3-connector\/attribute-names)/],
});
