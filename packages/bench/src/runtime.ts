/**
 * `node dist/runtime.js` (`pnpm --filter @state-proxy/bench runtime`): the runtime scenario on its
 * own. Every variant (BENCH_VARIANTS narrows) and the floors, called as the actor runtime calls a
 * sidecar (python/runtime_client.py: Python http.client, a new connection per request,
 * concurrency 1). Tables on stdout, progress on stderr, bench-results/runtime-<date>.json.
 * Knobs: packages/bench/README.md. Exit 1 when a server failed or answered unexpectedly.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireBackends } from './backends.js';
import { stopOnSignals, track } from './cleanup.js';
import { readRuntimeConfig } from './config.js';
import { repoRoot } from './paths.js';
import { type RuntimeResults, renderRuntimeReport } from './runtime-report.js';
import { measureRuntime } from './runtime-run.js';
import { selectedVariants } from './variants.js';

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<number> {
  stopOnSignals();
  const started = performance.now();
  const config = readRuntimeConfig();
  const variants = selectedVariants();
  const backends = await acquireBackends();
  const untrack = track(() => backends.release());
  let results: RuntimeResults;
  try {
    results = await measureRuntime(backends, variants, config, progress);
  } finally {
    untrack();
    await backends.release();
  }
  console.log(renderRuntimeReport(results));
  const dir = join(repoRoot, 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `runtime-${results.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  progress(`wrote ${file}`);
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return results.failures.length > 0 ? 1 : 0;
}

process.exitCode = await main();
