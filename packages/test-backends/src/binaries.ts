import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The absolute path of an executable on PATH (plus the sbin dirs a non-login shell may lack), or undefined. */
export function findBinary(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/**
 * The path of each binary, or an error that says what to install: the apt packages, or the env
 * variable that points the tests at a server running elsewhere (when there is one).
 */
export function requireBinaries(names: string[], aptPackages: string[], envAlternative?: string): string[] {
  const missing = names.filter((name) => !findBinary(name));
  if (missing.length > 0) {
    const alternative = envAlternative ? `, or set ${envAlternative} to a running server` : '';
    throw new Error(
      `${missing.join(', ')} not found on PATH. Install it: ` +
        `apt-get install -y --no-install-recommends ${aptPackages.join(' ')} ` +
        `(or run scripts/setup --backends)${alternative}.`,
    );
  }
  return names.map((name) => findBinary(name)!);
}
