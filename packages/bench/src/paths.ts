/** Where things are, from this package's dist/ (the bench runs from its built bundle). */
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A variant's single-file bundle, `packages/connector-<variant>/dist/main.cjs`. */
export const bundleOf = (variant: string): string =>
  fileURLToPath(new URL(`../../connector-${variant}/dist/main.cjs`, import.meta.url));

/** The floor servers of this package (src/floors/<name>.ts). */
export type FloorName = 'redis' | 'redis-hono' | 's3' | 's3-hono';

/** A floor server's bundle, `dist/floors/<name>.cjs`. */
export const floorBundle = (name: FloorName): string =>
  fileURLToPath(new URL(`./floors/${name}.cjs`, import.meta.url));

/** The runtime scenario's Python driver (shipped as source, beside dist/). */
export const runtimeDriver = fileURLToPath(new URL('../python/runtime_client.py', import.meta.url));
