import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onProcessExit } from './exit-cleanup.js';

/** A fresh directory under the OS temp dir, removed by remove() or, failing that, at process exit. */
export function makeTempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  const removeNow = () => rmSync(path, { recursive: true, force: true });
  const forget = onProcessExit(removeNow);
  return {
    path,
    remove() {
      forget();
      removeNow();
    },
  };
}
