/**
 * The one list of variants. Each variant package declares what it is (its `./variant` export,
 * which its main.ts hands to runConnector); this list adds what tools need to start one: where
 * it stores, its bundle, and the container memory limit the README sizes it for. The bench, the
 * demo and the image tests take their variants from here; a test checks the list against the
 * packages, the bake file's targets and the README's variant table, so a new variant package
 * that is not listed here fails it.
 */
import { fileURLToPath } from 'node:url';
import type { VariantDeclaration } from '@state-proxy/connector-core';
import { variant as memory } from '@state-proxy/connector-memory/variant';
import { variant as redisBufferedCas } from '@state-proxy/connector-redis-buffered-cas/variant';
import { variant as s3BufferedCas } from '@state-proxy/connector-s3-buffered-cas/variant';
import { variant as s3BufferedLww } from '@state-proxy/connector-s3-buffered-lww/variant';
import { variant as s3Passthrough } from '@state-proxy/connector-s3-passthrough/variant';

export type Backend = 'memory' | 'redis' | 's3';

export interface Variant {
  declaration: VariantDeclaration;
  /** Where it stores: which running backend its environment points at. */
  backend: Backend;
  /** The bundle its image runs (`pnpm build` makes it). */
  entry: string;
  /** The container memory limit its image is documented for (MiB); undefined: not shipped as an image. */
  memoryLimitMiB: number | undefined;
}

function variant(declaration: VariantDeclaration, backend: Backend, memoryLimitMiB?: number): Variant {
  // Relative to this module, or to the bench or demo bundle it is built into: each two levels
  // below packages/.
  const entry = fileURLToPath(new URL(`../../connector-${declaration.name}/dist/main.cjs`, import.meta.url));
  return { declaration, backend, entry, memoryLimitMiB };
}

export const VARIANTS: readonly Variant[] = [
  variant(redisBufferedCas, 'redis', 64),
  variant(s3BufferedLww, 's3', 128),
  variant(s3BufferedCas, 's3', 128),
  variant(s3Passthrough, 's3', 128),
  variant(memory, 'memory'),
];

/** The variants shipped as images (the memory connector is the reference, not shipped). */
export const SHIPPED_VARIANTS: readonly Variant[] = VARIANTS.filter((v) => v.memoryLimitMiB !== undefined);

/** The running backends a variant's environment can point at. */
export interface RunningBackends {
  redis?: { url: string };
  s3?: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  bucket?: string;
}

/** A variant's environment for its backend (besides CONNECTOR_SOCKET), its keys under `prefix`. */
export function variantEnv(v: Variant, backends: RunningBackends, prefix: string): Record<string, string> {
  switch (v.backend) {
    case 'memory':
      return { STATE_PREFIX: prefix };
    case 'redis':
      if (!backends.redis) throw new Error(`${v.declaration.name} needs a Redis`);
      return { REDIS_URL: backends.redis.url, STATE_PREFIX: prefix };
    case 's3': {
      const { s3, bucket } = backends;
      if (!s3 || !bucket) throw new Error(`${v.declaration.name} needs an S3 server and a bucket`);
      return {
        STATE_BUCKET: bucket,
        STATE_PREFIX: prefix,
        AWS_ENDPOINT_URL: s3.endpoint,
        AWS_REGION: s3.region,
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      };
    }
  }
}

export function variantNamed(name: string): Variant {
  const found = VARIANTS.find((v) => v.declaration.name === name);
  if (!found)
    throw new Error(`unknown variant ${name}: ${VARIANTS.map((v) => v.declaration.name).join(', ')}`);
  return found;
}
