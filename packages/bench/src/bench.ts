/**
 * `pnpm bench`: every variant against the real local backends, vs. the backends' own clients.
 * Prints progress and a report, writes bench-results/<date>.json and (full runs) the committed
 * docs/benchmarks.json and docs/benchmarks.svg. See packages/bench/README.md for the knobs.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { acquireBackends, type Backends } from './backends.js';
import { renderChart } from './chart.js';
import { stopOnSignals, track } from './cleanup.js';
import { readConfig, readRuntimeConfig } from './config.js';
import { measureContention } from './contention.js';
import { repoRoot } from './paths.js';
import { cellLine, renderReport } from './report.js';
import { describeMachine, type RunResults, summarize, verdicts } from './results.js';
import { measureRuntime } from './runtime-run.js';
import { measureStartups } from './startup.js';
import { measureStream } from './stream.js';
import { runVariant } from './variant-run.js';
import { connectorNodeOptions, selectedVariants } from './variants.js';

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function measureAll(backends: Backends): Promise<RunResults> {
  const config = readConfig();
  const variants = selectedVariants();
  const results: RunResults = {
    date: new Date().toISOString(),
    machine: describeMachine(backends.s3.kind === 'rgw' ? 'Ceph RadosGW (memstore)' : backends.s3.kind),
    timing: config.timing,
    connectorNodeOptions,
    variants: [],
    startup: {},
    contention: {},
    failures: [],
  };
  // Each section goes on when one variant fails: a partial report beats none.
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      progress(`${what} FAILED: ${message(error)}`);
      results.failures.push(`${what}: ${message(error)}`);
    }
  };

  // Start-up first, on a quiet machine.
  const startups = await measureStartups(variants, backends, config.startupRuns);
  for (const [i, outcome] of startups.entries()) {
    const { name } = variants[i]!;
    if (!outcome.ok) {
      progress(`${name} start-up FAILED: ${outcome.error}`);
      results.failures.push(`${name} start-up: ${outcome.error}`);
      continue;
    }
    results.startup[name] = outcome.result;
    progress(`${name} start-up median ${outcome.result.medianMs.toFixed(0)} ms`);
  }
  for (const variant of variants) {
    await attempt(`${variant.name} throughput`, async () => {
      results.variants.push(
        await runVariant(variant, backends, config.timing, (cell) => progress(cellLine(variant.name, cell))),
      );
    });
  }
  for (const variant of variants.filter((v) => v.cas)) {
    await attempt(`${variant.name} contention`, async () => {
      results.contention[variant.name] = await measureContention(variant, backends, config.contentionMs);
      progress(`${variant.name} contention: ${JSON.stringify(results.contention[variant.name])}`);
    });
  }
  if (config.stream && variants.some((v) => v.name === 's3-passthrough')) {
    progress('streaming 1 GiB through s3-passthrough (about a minute)');
    try {
      results.stream = await measureStream(backends);
    } catch (error) {
      results.streamError = message(error);
      results.failures.push(`s3-passthrough 1 GiB stream: ${message(error)}`);
    }
  }
  if (config.runtime) {
    // How the actor runtime calls a sidecar (runtime.ts runs this section on its own).
    await attempt('runtime scenario', async () => {
      results.runtime = await measureRuntime(backends, variants, readRuntimeConfig(), progress);
      results.failures.push(...results.runtime.failures.map((f) => `runtime ${f}`));
    });
  }
  results.machine.loadAverage.end = Number(loadavg()[0]!.toFixed(2));
  return results;
}

async function write(results: RunResults): Promise<void> {
  const config = readConfig();
  const dir = join(repoRoot, 'bench-results');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${results.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  progress(`wrote ${file}`);
  if (!config.writeDocs) {
    progress(
      'partial or shortened run: docs/benchmarks.{json,svg} left as they are (BENCH_WRITE_DOCS=1 forces)',
    );
    return;
  }
  await mkdir(join(repoRoot, 'docs'), { recursive: true });
  await writeFile(join(repoRoot, 'docs/benchmarks.json'), `${JSON.stringify(summarize(results), null, 2)}\n`);
  await writeFile(join(repoRoot, 'docs/benchmarks.svg'), await renderChart(results));
  progress('wrote docs/benchmarks.json and docs/benchmarks.svg');
}

/** `node dist/bench.js --render bench-results/<date>.json`: redraws docs/ from a saved full run. */
async function render(file: string): Promise<number> {
  const results = JSON.parse(await readFile(file, 'utf8')) as RunResults;
  await mkdir(join(repoRoot, 'docs'), { recursive: true });
  await writeFile(join(repoRoot, 'docs/benchmarks.json'), `${JSON.stringify(summarize(results), null, 2)}\n`);
  await writeFile(join(repoRoot, 'docs/benchmarks.svg'), await renderChart(results));
  progress(`redrew docs/benchmarks.json and docs/benchmarks.svg from ${file}`);
  return 0;
}

async function main(): Promise<number> {
  if (process.argv[2] === '--render' && process.argv[3]) return render(process.argv[3]);
  stopOnSignals();
  const started = performance.now();
  const backends = await acquireBackends(selectedVariants());
  const untrack = track(() => backends.release());
  let results: RunResults;
  try {
    results = await measureAll(backends);
  } finally {
    untrack();
    await backends.release();
  }
  console.log(renderReport(results));
  await write(results);
  progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const missed = verdicts(results).filter((v) => !v.ok).length;
  return results.failures.length > 0 || (readConfig().strict && missed > 0) ? 1 : 0;
}

process.exitCode = await main();
