/** Paths of the repository these checks read. */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const repoPath = (relative: string): string => `${repoRoot}${relative}`;

/**
 * The variants shipped as images: every packages/connector-<variant> that is a connector (it has
 * a main), except the memory reference connector. connector-core is the SDK, not a variant.
 */
export function imageVariants(): string[] {
  return readdirSync(repoPath('packages'))
    .filter((name) => name.startsWith('connector-') && existsSync(repoPath(`packages/${name}/src/main.ts`)))
    .map((name) => name.slice('connector-'.length))
    .filter((variant) => variant !== 'memory')
    .sort();
}
