// The lost-update invariant (docs/consistency.md#the-read-to-write-span): W workers x N
// read-increment-write cycles, retrying on 409, end at exactly W x N.
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
  const bucket = await freshBucket('cas-counter');
  connectors = await Promise.all(
    Array.from({ length: WORKERS }, () => startVariant(variant, bucket, { STATE_PREFIX: 'shared' })),
  );
});
afterAll(async () => {
  await Promise.all(connectors.map((c) => c.stop()));
});

it(`${WORKERS} workers x ${CYCLES} increments with retry on 409 end at exactly ${WORKERS * CYCLES}`, async () => {
  const result = await runCounterWorkload({
    sockets: connectors.map((c) => c.socketPath),
    key: 'counters/shared',
    workers: WORKERS,
    cycles: CYCLES,
  });
  expect(result.final).toBe(WORKERS * CYCLES);
  expect(result.conflicts).toBeGreaterThan(0); // the workers really did race
});
