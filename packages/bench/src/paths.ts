/** Where things are, from this package's dist/ (the bench runs from its built bundle). */
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A variant's single-file bundle, `packages/connector-<variant>/dist/main.cjs`. */
export const bundleOf = (variant: string): string =>
  fileURLToPath(new URL(`../../connector-${variant}/dist/main.cjs`, import.meta.url));

/** A floor server's bundle of this package, `dist/floors/<name>.cjs` (src/floors/<name>.ts). */
export const floorBundle = (name: 'redis' | 's3'): string =>
  fileURLToPath(new URL(`./floors/${name}.cjs`, import.meta.url));

/** The runtime scenario's Python driver (shipped as source, beside dist/). */
export const runtimeDriver = fileURLToPath(new URL('../python/runtime_client.py', import.meta.url));
