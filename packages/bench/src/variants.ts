/**
 * The variants under test: how to start each against the run's backends, where its keys land in
 * the backend (so the direct client touches the very same objects), and its RSS limit. The Redis
 * connector is measured twice: on one server, and on a Redis Cluster (`redis-buffered-cas-cluster`,
 * the same bundle with a redis-cluster:// URL, against node-redis's cluster client), so that its
 * GET/PUT figures stand beside each other in one report.
 */
import { SHIPPED_VARIANTS, variantEnv } from '@state-proxy/variants';
import type { Backends } from './backends.js';
import { compileCacheOf } from './compile-cache.js';
import { type KvTarget, redisClusterTarget, redisTarget, s3Target } from './targets.js';

export type VariantName = string;

export interface Variant {
  name: VariantName;
  backend: 'redis' | 's3';
  /** A Redis Cluster rather than one server: only the throughput, start-up and contention sections. */
  topology?: 'cluster';
  cas: boolean;
  /** The container memory limit users give this sidecar (README: Memory and sizing). */
  rssLimitMiB: number;
  /** Its default STATE_MAX_BODY_BYTES, MiB; undefined: no limit. */
  maxBodyMiB: number | undefined;
  /** The target ratio connector/direct at concurrency 16 (issue 5). */
  targetRatio: number;
  entry: string;
  /** Connector env (besides CONNECTOR_SOCKET) for a given STATE_PREFIX. */
  env(backends: Backends, prefix: string): Record<string, string>;
  /** The direct client, on the keys the connector maps `key` to under `prefix` (docs/keys.md#backend-keys). */
  direct(backends: Backends, prefix: string): Promise<KvTarget>;
}

/** The shipped variants of @state-proxy/variants, with what the bench adds: targets and direct clients. */
function benchVariant(v: (typeof SHIPPED_VARIANTS)[number]): Variant {
  const { declaration, entry } = v;
  if (v.backend === 'memory') throw new Error(`${declaration.name}: no backend to benchmark against`);
  const backend = v.backend;
  const limit = declaration.defaultMaxBodyBytes;
  return {
    name: declaration.name,
    backend,
    cas: declaration.consistency === 'cas',
    rssLimitMiB: v.memoryLimitMiB ?? 0,
    maxBodyMiB: limit === undefined ? undefined : limit / (1024 * 1024),
    targetRatio: backend === 'redis' ? 0.5 : 0.8,
    entry,
    env: (backends, prefix) => withImageEnv(backend, entry, variantEnv(v, backends, prefix)),
    direct:
      backend === 'redis'
        ? (backends, prefix) => redisTarget(backends.redis.url, (key) => `${prefix}:${key}`)
        : async (backends, prefix) =>
            s3Target(backends.s3Client, backends.bucket, (key) => `${prefix}/${key}`),
  };
}

const clusterOf = (backends: Backends) => {
  if (!backends.redisCluster) throw new Error('this run has no Redis Cluster (acquireBackends)');
  return backends.redisCluster;
};

/** The Redis variant again, on a Redis Cluster: the same bundle with a redis-cluster:// URL. */
function redisClusterVariant(redis: Variant): Variant {
  return {
    ...redis,
    name: 'redis-buffered-cas-cluster',
    topology: 'cluster',
    env: (backends, prefix) =>
      withImageEnv('redis', redis.entry, { REDIS_URL: clusterOf(backends).url, STATE_PREFIX: prefix }),
    direct: (backends, prefix) => redisClusterTarget(clusterOf(backends).seeds, (key) => `${prefix}:${key}`),
  };
}

/**
 * The old-space cap the images give each backend's variants (images/docker-bake.hcl,
 * NODE_OLD_SPACE_MIB): what their live heap needs under load with room to spare, and no more,
 * since V8 lets garbage fill the old space up to its cap before it collects it.
 */
const IMAGE_OLD_SPACE_MIB = { redis: 20, s3: 32 } as const;

/**
 * Node flags for a connector process of `backend`. By default the ones its image ships
 * (images/Dockerfile NODE_OPTIONS), so the figures are those of the sidecar as deployed;
 * BENCH_CONNECTOR_NODE_OPTIONS overrides them (empty: Node's defaults).
 */
export function imageNodeOptions(backend: Variant['backend']): string {
  return (
    process.env.BENCH_CONNECTOR_NODE_OPTIONS ??
    `--max-semi-space-size=1 --max-old-space-size=${IMAGE_OLD_SPACE_MIB[backend]}`
  );
}

/** What the reports say about the connectors' Node flags. */
export const connectorNodeOptions =
  process.env.BENCH_CONNECTOR_NODE_OPTIONS ??
  `as the images: Redis ${imageNodeOptions('redis')}, S3 ${imageNodeOptions('s3')}`;

/**
 * The glibc malloc settings the images set (images/Dockerfile), for every process of the bench
 * that stands for one in an image (connectors and floors): large buffers mapped and unmapped
 * directly instead of staying in fragmented arenas, and few arenas.
 */
export const IMAGE_MALLOC_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
};

/** A connector's env as its image sets it: malloc settings, NODE_OPTIONS, the compile cache. */
function withImageEnv(
  backend: Variant['backend'],
  entry: string,
  env: Record<string, string>,
): Record<string, string> {
  const nodeOptions = imageNodeOptions(backend);
  return {
    ...env,
    ...IMAGE_MALLOC_ENV,
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    NODE_COMPILE_CACHE: compileCacheOf(entry),
  };
}

const SHIPPED = SHIPPED_VARIANTS.map(benchVariant);

export const VARIANTS: readonly Variant[] = SHIPPED.flatMap((v) =>
  v.name === 'redis-buffered-cas' ? [v, redisClusterVariant(v)] : [v],
);

/** BENCH_VARIANTS=a,b narrows the run (handy while profiling one variant). */
export function selectedVariants(filter = process.env.BENCH_VARIANTS): Variant[] {
  if (!filter) return [...VARIANTS];
  const wanted = filter.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !VARIANTS.some((v) => v.name === name));
  if (unknown.length > 0) throw new Error(`BENCH_VARIANTS: unknown variant(s) ${unknown.join(', ')}`);
  return VARIANTS.filter((v) => wanted.includes(v.name));
}
