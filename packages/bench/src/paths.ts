/** Where things are, from this package's dist/ (the bench runs from its built bundle). */
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A variant's single-file bundle, `packages/connector-<variant>/dist/main.js`. */
export const bundleOf = (variant: string): string =>
  fileURLToPath(new URL(`../../connector-${variant}/dist/main.js`, import.meta.url));
