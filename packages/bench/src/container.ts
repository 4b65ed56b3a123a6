/**
 * `node packages/bench/dist/container.js <variant> [--limit-mib N] [--large-cap-mib N] [--quick]`:
 * one connector as it runs in a fresh Kubernetes container: a memory cgroup with the limit, the
 * node binary's pages charged to it, the image's NODE_OPTIONS, then load phases up to the largest
 * body, watching the working set and OOM kills. Needs root and a memory cgroup (v1 or v2).
 * Table on stdout, progress on stderr, bench-results/container-<variant>-<date>.json; exit 1
 * when the connector was OOM-killed, died, or a request failed. See packages/bench/README.md.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireBackends } from './backends.js';
import { cgroupVersion } from './cgroup.js';
import { stopOnSignals, track } from './cleanup.js';
import { type ContainerResults, exitCodeOf, renderContainerReport } from './container-report.js';
import { runContainer } from './container-run.js';
import { createLoopDisk, type LoopDisk, readaheadKbOf } from './loop-disk.js';
import { repoRoot } from './paths.js';
import { imageNodeOptions, VARIANTS, type Variant } from './variants.js';

/** One sidecar in its container: the Cluster variant's memory is the same process's. */
const CONTAINED = VARIANTS.filter((v) => v.topology === undefined);

const USAGE =
  'usage: node packages/bench/dist/container.js <variant> [--limit-mib N] [--large-cap-mib N]\n' +
  '         [--readahead-kb N|host] [--quick]\n' +
  `  variants: ${CONTAINED.map((v) => v.name).join(', ')}`;
const MiB = 1024 * 1024;
/** Largest single PUT+GET by default: the variant's max body size, capped (S3's is 5 GiB). */
const DEFAULT_LARGE_CAP_MIB = { redis: 512, s3: 256 };
/** That of cloud block devices, where a Kubernetes node keeps its images (see loop-disk.ts). */
const DEFAULT_READAHEAD_KB = 128;
/** Two copies of node (~120 MiB each) and a bundle. */
const LOOP_DISK_MIB = 400;

const progress = (line: string) => process.stderr.write(`container: ${line}\n`);

interface Args {
  variant: Variant;
  limitMiB: number;
  largeCapMiB: number;
  /** undefined: copy to the host's temp dir as it is. */
  readaheadKb: number | undefined;
  quick: boolean;
}

function parseArgs(argv: string[]): Args {
  const [name, ...rest] = argv;
  const variant = CONTAINED.find((v) => v.name === name);
  if (!variant) throw new Error(name ? `unknown variant '${name}'\n${USAGE}` : USAGE);
  const args: Args = {
    variant,
    limitMiB: variant.rssLimitMiB,
    largeCapMiB: DEFAULT_LARGE_CAP_MIB[variant.backend],
    readaheadKb: DEFAULT_READAHEAD_KB,
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
    else if (flag === '--large-cap-mib') args.largeCapMiB = number();
    else if (flag === '--readahead-kb' && rest[i + 1] === 'host') {
      args.readaheadKb = undefined;
      i++;
    } else if (flag === '--readahead-kb') args.readaheadKb = number();
    else throw new Error(`unknown argument '${flag}'\n${USAGE}`);
  }
  return args;
}

/** 64 MiB and the variant's max body size (capped), each once. */
function largeSizes(variant: Variant, capMiB: number): number[] {
  const max = Math.min(variant.maxBodyMiB ?? Number.POSITIVE_INFINITY, capMiB);
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
  const version = cgroupVersion();
  if (version === undefined || process.getuid?.() !== 0) {
    process.stderr.write('container: needs root and a memory cgroup (v1 /sys/fs/cgroup/memory, or v2)\n');
    return 2;
  }
  stopOnSignals();
  const workDir = await mkdtemp(join(tmpdir(), 'state-proxy-container-'));
  let disk: LoopDisk | undefined;
  // One stop for both, in order: the disk must be unmounted before its mount point goes.
  const removeDirs = async () => {
    await disk?.remove();
    await rm(workDir, { recursive: true, force: true });
  };
  const untrackDirs = track(removeDirs);
  let results: ContainerResults;
  try {
    if (args.readaheadKb !== undefined) disk = await createLoopDisk(workDir, LOOP_DISK_MIB, args.readaheadKb);
    const backends = await acquireBackends();
    const untrackBackends = track(() => backends.release());
    results = {
      date: new Date().toISOString(),
      variant: args.variant.name,
      limitMiB: args.limitMiB,
      cgroup: { version, dir: '' },
      nodeOptions: imageNodeOptions(args.variant.backend),
      node: process.version,
      binaryDisk: {
        readaheadKb: args.readaheadKb ?? readaheadKbOf(workDir),
        loopDevice: disk !== undefined,
        hostReadaheadKb: readaheadKbOf(workDir),
      },
      s3Kind: backends.s3.kind,
      quick: args.quick,
      largeBytes: largeSizes(args.variant, args.largeCapMiB),
      phases: [],
      failures: [],
    };
    const settings = {
      ...args,
      largeBytes: results.largeBytes,
      nodeOptions: results.nodeOptions,
      workDir,
      binaryDir: disk?.dir ?? workDir,
    };
    try {
      await runContainer(settings, backends, results, progress);
    } finally {
      untrackBackends();
      await backends.release();
    }
  } finally {
    untrackDirs();
    await removeDirs();
  }
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
