/**
 * The four variants under test: how to start each against the run's backends, where its keys
 * land in the backend (so the direct client touches the very same objects), and its RSS limit.
 */
import { type Backends, s3Env } from './backends.js';
import { bundleOf } from './paths.js';
import { type KvTarget, redisTarget, s3Target } from './targets.js';

export type VariantName = 'redis-buffered-cas' | 's3-buffered-lww' | 's3-buffered-cas' | 's3-passthrough';

export interface Variant {
  name: VariantName;
  backend: 'redis' | 's3';
  cas: boolean;
  /** The container memory limit users give this sidecar (SPEC §10). */
  rssLimitMiB: number;
  /** Its default STATE_MAX_BODY_BYTES (defaultMaxBodyBytes in its main.ts), MiB; undefined: no limit. */
  maxBodyMiB: number | undefined;
  /** The target ratio connector/direct at concurrency 16 (issue 5). */
  targetRatio: number;
  entry: string;
  /** Connector env (besides CONNECTOR_SOCKET) for a given STATE_PREFIX. */
  env(backends: Backends, prefix: string): Record<string, string>;
  /** The direct client, on the keys the connector maps `key` to under `prefix` (SPEC §3). */
  direct(backends: Backends, prefix: string): Promise<KvTarget>;
}

const redisVariant = (name: VariantName): Variant => ({
  name,
  backend: 'redis',
  cas: true,
  rssLimitMiB: 64,
  maxBodyMiB: 512,
  targetRatio: 0.5,
  entry: bundleOf(name),
  env: (backends, prefix) => withNodeOptions({ REDIS_URL: backends.redis.url, STATE_PREFIX: prefix }),
  direct: (backends, prefix) => redisTarget(backends.redis.url, (key) => `${prefix}:${key}`),
});

const s3Variant = (name: VariantName, cas: boolean, maxBodyMiB: number | undefined): Variant => ({
  name,
  backend: 's3',
  cas,
  rssLimitMiB: 128,
  maxBodyMiB,
  targetRatio: 0.8,
  entry: bundleOf(name),
  env: (backends, prefix) => withNodeOptions({ ...s3Env(backends), STATE_PREFIX: prefix }),
  direct: async (backends, prefix) =>
    s3Target(backends.s3Client, backends.bucket, (key) => `${prefix}/${key}`),
});

/**
 * Node flags for the connector processes, recorded in the results. By default the ones the images
 * ship (images/Dockerfile NODE_OPTIONS), so the figures are those of the sidecar as deployed;
 * BENCH_CONNECTOR_NODE_OPTIONS overrides them (empty: Node's defaults).
 */
export const connectorNodeOptions =
  process.env.BENCH_CONNECTOR_NODE_OPTIONS ?? '--max-semi-space-size=1 --max-old-space-size=64';
const withNodeOptions = (env: Record<string, string>) =>
  connectorNodeOptions ? { ...env, NODE_OPTIONS: connectorNodeOptions } : env;

export const VARIANTS: readonly Variant[] = [
  redisVariant('redis-buffered-cas'),
  s3Variant('s3-buffered-lww', false, 5 * 1024), // the largest single PutObject
  s3Variant('s3-buffered-cas', true, 5 * 1024),
  s3Variant('s3-passthrough', false, undefined), // streams: no limit
];

/** BENCH_VARIANTS=a,b narrows the run (handy while profiling one variant). */
export function selectedVariants(filter = process.env.BENCH_VARIANTS): Variant[] {
  if (!filter) return [...VARIANTS];
  const wanted = filter.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !VARIANTS.some((v) => v.name === name));
  if (unknown.length > 0) throw new Error(`BENCH_VARIANTS: unknown variant(s) ${unknown.join(', ')}`);
  return VARIANTS.filter((v) => wanted.includes(v.name));
}
