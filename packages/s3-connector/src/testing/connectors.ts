/** Starting S3 connectors for tests: each start gets its own STATE_PREFIX, so a fresh namespace. */

import { randomBytes } from 'node:crypto';
import type { VariantDeclaration } from '@state-proxy/connector-core';
import type { VolumeFeature } from '@state-proxy/connector-core/conformance';
import { type SpawnedConnector, spawnConnector } from '@state-proxy/connector-core/testing';
import { s3Server } from './backend.js';

/** The environment a connector needs to reach the run's S3 server and `bucket`. */
export function s3Env(bucket: string, endpoint = s3Server().endpoint): Record<string, string> {
  const server = s3Server();
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: server.region,
    AWS_ACCESS_KEY_ID: server.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    STATE_BUCKET: bucket,
  };
}

export function uniquePrefix(name = 'p'): string {
  return `${name}-${randomBytes(5).toString('hex')}`;
}

/** A variant as its tests start it: its declaration and its bundle (dist/main.cjs). */
export interface VariantUnderTest extends VariantDeclaration {
  entry: string;
  /** The volume tests' size, for the one variant that runs them (they share the S3 layer's listing). */
  volume?: VolumeFeature;
}

/** Spawns the variant's bundle on `bucket` with a unique prefix; `env` overrides anything. */
export function startVariant(
  variant: VariantUnderTest,
  bucket: string,
  env: Record<string, string> = {},
): Promise<SpawnedConnector & { prefix: string }> {
  const prefix = env.STATE_PREFIX ?? uniquePrefix(variant.name);
  return spawnConnector({
    entry: variant.entry,
    env: { ...s3Env(bucket), STATE_PREFIX: prefix, ...env },
  }).then((started) => Object.assign(started, { prefix }));
}
