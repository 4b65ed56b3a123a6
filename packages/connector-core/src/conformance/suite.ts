/** What each part of the conformance suite gets, and helpers they share. */
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { VariantDeclaration } from '../connector.js';
import type { ClientResponse, ConnectorClient } from '../testing/client.js';
import type { StartedConnector } from '../testing/spawn.js';
import { uniqueKey } from '../testing/unique-key.js';
import type { FaultHooks } from './suite-faults.js';
import type { VolumeFeature } from './suite-fuzz.js';

export { uniqueKey };

export interface Suite {
  readonly client: ConnectorClient;
  readonly socketPath: string;
  /** What the connector under test is (its declaration), which switches groups of tests on. */
  readonly features: ConformanceFeatures;
  start(env?: Record<string, string>): Promise<StartedConnector>;
  /** `count` connectors sharing one namespace (ConformanceFeatures.replicas), or null when the run has none. */
  replicas: ((count: number) => Promise<StartedConnector[]>) | null;
}

/** What a connector is and can do, as its conformance run declares it. */
export interface ConformanceFeatures {
  /**
   * Its declaration (the variant's `src/variant.ts`): `consistency` picks the lost-update tests,
   * `writeMode: 'streaming'` adds the streaming ones, `attributes` the extended-attribute ones
   * (and `ttl` those of the TTL attribute).
   */
  variant: VariantDeclaration;
  /**
   * Starts `count` connectors on ONE namespace, as the replicas of an actor each have their own
   * sidecar. By default `start` is called `count` times with one shared STATE_PREFIX; a connector
   * whose processes cannot share a store (the memory connector) serves its replicas in-process.
   * `null`: the run has no replicas (the tests that need them are left out, and say so).
   */
  replicas?: ((count: number) => Promise<StartedConnector[]>) | null;
  /** How to put a fault proxy between the connector and its backend: adds the backend-fault tests. */
  faults?: FaultHooks;
  /** Adds the volume tests, of this size: many distinct keys read, and one prefix of many keys listed. */
  volume?: VolumeFeature;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function json(res: ClientResponse): unknown {
  return JSON.parse(res.body.toString('utf8'));
}

/** Asserts an error response: status, JSON content type and `{"error": code, "message": text}`. */
export function expectError(res: ClientResponse, status: number, code: string): void {
  expect({ status: res.status, body: res.body.toString() }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = json(res) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
}
