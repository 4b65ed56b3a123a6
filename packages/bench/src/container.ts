/**
 * `node packages/bench/dist/container.js <variant> [--limit-mib N] [--large-cap-mib N] [--cache cold|warm] [--image NAME] [--quick]`:
 * the variant's image (scripts/build-images --local) in the container engine, as image-test runs
 * it, at the memory limit of its pod spec and at four times it, from a cold and a warm page cache:
 * the floors' and the connector's idle memory, then load phases up to the largest body, from the
 * container's own cgroup. Needs the engine (Docker, or podman as root). Tables on stdout,
 * progress on stderr, bench-results/container-<variant>-<date>.json; exit 1 when a phase is not
 * ok or a part failed, 2 without an engine or for bad arguments. See packages/bench/README.md.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineProblem, imageName, startEngine } from '@state-proxy/image-test/engine';
import { SHIPPED_VARIANTS, type Variant } from '@state-proxy/variants';
import { getContainerRuntimeClient, ImageName } from 'testcontainers';
import { acquireBackends, type Backends } from './backends.js';
import { stopOnSignals, track } from './cleanup.js';
import { type Cache, type ContainerResults, exitCodeOf, renderContainerReport } from './container-report.js';
import { measureRun } from './container-run.js';
import { imageFiles, readaheadKbOf, sameBundle } from './page-cache.js';
import { repoRoot } from './paths.js';
import { describeMachine } from './results.js';

const name = (v: Variant) => v.declaration.name;
const USAGE =
  'usage: node packages/bench/dist/container.js <variant> [--limit-mib N] [--large-cap-mib N] [--cache cold|warm]\n' +
  '         [--image NAME] [--quick]\n' +
  `  variants: ${SHIPPED_VARIANTS.map(name).join(', ')}`;
const MiB = 1024 * 1024;

const progress = (line: string) => process.stderr.write(`container: ${line}\n`);

interface Args {
  variant: Variant;
  limitMiB: number;
  largeCapMiB: number;
  caches: Cache[];
  /** Default: the one scripts/build-images --local makes; e.g. VERSION=bench's, which no one else rebuilds. */
  image?: string;
  quick: boolean;
}

function parseArgs(argv: string[]): Args {
  const [wanted, ...rest] = argv;
  const variant = SHIPPED_VARIANTS.find((v) => name(v) === wanted);
  if (!variant) throw new Error(wanted ? `unknown variant '${wanted}'\n${USAGE}` : USAGE);
  const args: Args = {
    variant,
    limitMiB: variant.memoryLimitMiB!,
    // The largest single PUT+GET: the variant's max body size, capped (S3's is 5 GiB).
    largeCapMiB: variant.backend === 'redis' ? 512 : 256,
    caches: ['cold', 'warm'],
    quick: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const number = () => {
      const value = Number(rest[++i]);
      if (!Number.isInteger(value) || value <= 0)
        throw new Error(`${flag} needs a positive integer\n${USAGE}`);
      return value;
    };
    if (flag === '--quick') args.quick = true;
    else if (flag === '--limit-mib') args.limitMiB = number();
    else if (flag === '--image' && rest[i + 1]) args.image = rest[++i];
    else if (flag === '--large-cap-mib') args.largeCapMiB = number();
    else if (flag === '--cache' && (rest[i + 1] === 'cold' || rest[i + 1] === 'warm'))
      args.caches = [rest[++i] as Cache];
    else throw new Error(`unknown argument '${flag}'\n${USAGE}`);
  }
  return args;
}

/** 64 MiB and the variant's max body size (capped), each once. */
function largeSizes(variant: Variant, capMiB: number): number[] {
  const maxBytes = variant.declaration.defaultMaxBodyBytes;
  const max = Math.min(maxBytes === undefined ? Number.POSITIVE_INFINITY : maxBytes / MiB, capMiB);
  return [...new Set([Math.min(64, max), max])].map((mib) => mib * MiB);
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const problem = engineProblem();
  if (problem) {
    process.stderr.write(`container: needs a container engine: ${problem}\n`);
    return 2;
  }
  // testcontainers reads DOCKER_HOST once, at its first use, and test-backends would use it first
  // (to choose where the backends run): the backends come from its runner, in a parent process.
  if (!process.env.TEST_REDIS_URL || !process.env.TEST_S3_ENDPOINT) {
    const cli = fileURLToPath(new URL('../../test-backends/dist/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, 'run', '--', process.execPath, ...process.argv.slice(1)], {
      stdio: 'inherit',
    });
    return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  }
  stopOnSignals();
  const engine = await startEngine();
  const untrackEngine = track(() => engine.stop());
  Object.assign(process.env, engine.env);
  try {
    const backends = await acquireBackends();
    const untrackBackends = track(() => backends.release());
    try {
      return await measure(args, engine.kind, backends);
    } finally {
      untrackBackends();
      await backends.release();
    }
  } finally {
    untrackEngine();
    await engine.stop();
  }
}

async function measure(args: Args, engine: 'docker' | 'podman', backends: Backends): Promise<number> {
  const image = args.image ?? imageName(engine, name(args.variant));
  const client = await getContainerRuntimeClient();
  const info = await client.image.inspect(ImageName.fromString(image)).catch(() => undefined);
  if (!info) {
    process.stderr.write(`container: no image ${image} in ${engine}: scripts/build-images --local\n`);
    return 2;
  }
  const found = imageFiles(info);
  const files = 'files' in found ? found.files : undefined;
  if ('problem' in found && args.caches.includes('cold')) {
    progress(`cold page cache impossible here: ${found.problem}; warm only`);
    args.caches = ['warm'];
  }
  const results: ContainerResults = {
    date: new Date().toISOString(),
    machine: describeMachine(backends.s3.kind),
    variant: name(args.variant),
    image,
    imageId: info.Id.replace(/^sha256:/, ''),
    engine,
    imageEnv: (info.Config.Env ?? []).filter((e) => /^(NODE_OPTIONS|MALLOC_)/.test(e)),
    pageCache:
      'problem' in found
        ? { problem: found.problem }
        : {
            files: found.files.length,
            sizeMiB: found.files.reduce((sum, f) => sum + statSync(f).size, 0) / MiB,
            readaheadKb: readaheadKbOf(found.files[0]!),
          },
    quick: args.quick,
    largeBytes: largeSizes(args.variant, args.largeCapMiB),
    runs: [],
    failures: [],
  };
  if (files) results.imageBundleIsCheckout = sameBundle(files, args.variant.entry);
  for (const cache of args.caches)
    for (const limitMiB of [args.limitMiB, 4 * args.limitMiB]) {
      const settings = { ...args, image, cache, limitMiB, largeBytes: results.largeBytes, imageFiles: files };
      results.runs.push(await measureRun(settings, backends, results.failures, progress));
    }
  results.machine.loadAverage.end = Number(loadavg()[0]!.toFixed(2));
  console.log(renderContainerReport(results));
  const dir = join(repoRoot, 'bench-results');
  await mkdir(dir, { recursive: true });
  const stamp = results.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const file = join(dir, `container-${results.variant}-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  progress(`wrote ${file}`);
  return exitCodeOf(results);
}

process.exitCode = await main();
