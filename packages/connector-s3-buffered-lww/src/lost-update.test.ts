// The control for s3-buffered-cas's lost-update test: without CAS the same workload loses updates,
// so that test can fail.
import { runCounterWorkload } from '@state-proxy/connector-core';
import type { SpawnedConnector } from '@state-proxy/connector-core/conformance';
import { freshBucket, startVariant } from '@state-proxy/s3-connector/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { underTest as variant } from './under-test.js';

const WORKERS = 8;
const CYCLES = 20;

// One connector process per worker, as each actor has its own sidecar (same bucket and prefix).
let connectors: SpawnedConnector[] = [];
beforeAll(async () => {
  const bucket = await freshBucket('lww-counter');
  connectors = await Promise.all(
    Array.from({ length: WORKERS }, () => startVariant(variant, bucket, { STATE_PREFIX: 'shared' })),
  );
});
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.stop()));
});

it(`last write wins: ${WORKERS} racing workers x ${CYCLES} increments lose updates`, async () => {
  const result = await runCounterWorkload({
    sockets: connectors.map((c) => c.socketPath),
    key: 'counters/shared',
    workers: WORKERS,
    cycles: CYCLES,
  });
  expect(result.conflicts).toBe(0);
  expect(result.final).toBeLessThan(WORKERS * CYCLES);
});
