import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The Python driver's pure helpers (/proc/<pid>/stat parsing, percentiles, arguments) have their
// own unittest file; run it here so `pnpm test` covers them. python3 is on every machine the
// bench runs on (the runtime scenario needs it), so a missing one fails here.
const python = process.env.BENCH_PYTHON || 'python3';
const tests = fileURLToPath(new URL('../python/test_runtime_client.py', import.meta.url));

describe('python/runtime_client.py', () => {
  it('passes its unit tests', () => {
    const run = spawnSync(python, [tests], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toMatch(/\nOK\s*$/);
    expect(run.status).toBe(0);
  });
});
