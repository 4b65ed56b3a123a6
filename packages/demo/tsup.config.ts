import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/demo.ts'],
  format: 'esm',
  platform: 'node',
  target: 'node22',
  clean: true,
});
