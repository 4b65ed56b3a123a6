/**
 * One real S3 server per package test run: `globalSetup` starts it (or reuses TEST_S3_ENDPOINT)
 * and hands its address to the test files through vitest's provide/inject.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  createBucket,
  type S3Backend,
  type S3Kind,
  s3Backend,
  s3ClientFor,
} from '@state-proxy/test-backends';
import { inject } from 'vitest';

export interface S3TestServer {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  kind: S3Kind;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Server: S3TestServer;
  }
}

/** The body of a package's vitest globalSetup file. */
export async function provideS3Server(project: {
  provide(key: 's3Server', value: S3TestServer): void;
}): Promise<() => Promise<void>> {
  const backend = await s3Backend();
  const { endpoint, region, accessKeyId, secretAccessKey, kind } = backend;
  project.provide('s3Server', { endpoint, region, accessKeyId, secretAccessKey, kind });
  return () => backend.stop();
}

export function s3Server(): S3TestServer {
  return inject('s3Server');
}

function asBackend(server: S3TestServer): S3Backend {
  return { ...server, stop: async () => {} };
}

/** A fresh bucket on the run's server (one per test file). */
export function freshBucket(name: string): Promise<string> {
  return createBucket(asBackend(s3Server()), name);
}

/** A plain SDK client for checking what the connector stored, or for preparing data directly. */
export function directClient(): S3Client {
  return s3ClientFor(asBackend(s3Server()));
}
