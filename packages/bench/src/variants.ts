/**
 * The variants under test: how to start each against the run's backends, where its keys land in
 * the backend (so the direct client touches the very same objects), and its RSS limit. The Redis
 * connector is measured twice: on one server, and on a Redis Cluster (`redis-buffered-cas-cluster`,
 * the same bundle with a redis-cluster:// URL, against node-redis's cluster client), so that its
 * GET/PUT figures stand beside each other in one report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHIPPED_VARIANTS, variantEnv } from '@state-proxy/variants';
import type { Backends } from './backends.js';
import { compileCacheOf } from './compile-cache.js';
import { repoRoot } from './paths.js';
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
    env: (backends, prefix) => withImageEnv(declaration.name, entry, variantEnv(v, backends, prefix)),
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
      withImageEnv(redis.name, redis.entry, { REDIS_URL: clusterOf(backends).url, STATE_PREFIX: prefix }),
    direct: (backends, prefix) => redisClusterTarget(clusterOf(backends).seeds, (key) => `${prefix}:${key}`),
  };
}

/**
 * The Node and glibc malloc settings an image gives its variant: the `ENV` of images/Dockerfile
 * for NODE_OPTIONS and MALLOC_*, its `${ARG}`s from the variant's bake target (NODE_OLD_SPACE_MIB)
 * or the ARG defaults. Read from those files, so the bench's processes run as the images do.
 */
export function imageEnv(variant: string): Record<string, string> {
  const cached = imageEnvs.get(variant);
  if (cached) return cached;
  // Comments out, continuation lines joined: one instruction per line.
  const dockerfile = readFileSync(join(repoRoot, 'images/Dockerfile'), 'utf8')
    .replace(/^\s*#.*\n/gm, '')
    .replace(/\\\n/g, ' ');
  const bake = readFileSync(join(repoRoot, 'images/docker-bake.hcl'), 'utf8');
  const target = new RegExp(`^target "${variant}" \\{[^}]*?^\\s*args\\s*=\\s*\\{([^}]*)\\}`, 'm').exec(bake);
  const args = new Map<string, string>([
    ...[...dockerfile.matchAll(/^ARG (\w+)=(\S*)$/gm)].map(([, name, value]) => [name!, value!] as const),
    ...[...(target?.[1] ?? '').matchAll(/(\w+)\s*=\s*"([^"]*)"/g)].map(
      ([, name, value]) => [name!, value!] as const,
    ),
  ]);
  const env: Record<string, string> = {};
  for (const [line] of dockerfile.matchAll(/^ENV .*$/gm))
    for (const [, name, quoted, bare] of line.matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g))
      if (name === 'NODE_OPTIONS' || name!.startsWith('MALLOC_'))
        env[name!] = (quoted ?? bare!).replace(/\$\{(\w+)\}/g, (_, arg: string) => {
          const value = args.get(arg);
          if (value === undefined) throw new Error(`images/Dockerfile: no value for \${${arg}}`);
          return value;
        });
  imageEnvs.set(variant, env);
  return env;
}
const imageEnvs = new Map<string, Record<string, string>>();

/** BENCH_CONNECTOR_NODE_OPTIONS replaces the image's flags (empty: Node's defaults). */
const nodeOptionsOf = (variant: string) =>
  process.env.BENCH_CONNECTOR_NODE_OPTIONS ?? imageEnv(variant).NODE_OPTIONS ?? '';

/** A connector's env as its image sets it: malloc settings, NODE_OPTIONS, the compile cache. */
function withImageEnv(variant: string, entry: string, env: Record<string, string>): Record<string, string> {
  const { NODE_OPTIONS: _, ...malloc } = imageEnv(variant);
  const nodeOptions = nodeOptionsOf(variant);
  return {
    ...env,
    ...malloc,
    ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    NODE_COMPILE_CACHE: compileCacheOf(entry),
  };
}

const SHIPPED = SHIPPED_VARIANTS.map(benchVariant);

export const VARIANTS: readonly Variant[] = SHIPPED.flatMap((v) =>
  v.name === 'redis-buffered-cas' ? [v, redisClusterVariant(v)] : [v],
);

/** What the reports say about the connectors' Node flags. */
export const connectorNodeOptions =
  process.env.BENCH_CONNECTOR_NODE_OPTIONS ??
  `as the images: ${SHIPPED.map((v) => `${v.name} ${nodeOptionsOf(v.name)}`).join('; ')}`;

/** BENCH_VARIANTS=a,b narrows the run (handy while profiling one variant). */
export function selectedVariants(filter = process.env.BENCH_VARIANTS): Variant[] {
  if (!filter) return [...VARIANTS];
  const wanted = filter.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !VARIANTS.some((v) => v.name === name));
  if (unknown.length > 0) throw new Error(`BENCH_VARIANTS: unknown variant(s) ${unknown.join(', ')}`);
  return VARIANTS.filter((v) => wanted.includes(v.name));
}
