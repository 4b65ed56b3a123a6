/**
 * The lost-update invariant (docs/consistency.md#the-read-to-write-span) for the core's CAS
 * memory, with one shared in-memory store standing in for the backend and one served connector
 * per worker, as actor replicas each have their own sidecar.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Connector,
  runCounterWorkload,
  type ServingConnector,
  serveConnector,
  withCompareAndSet,
} from '@state-proxy/connector-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryConnector } from './connector.js';

const WORKERS = 8;
const CYCLES = 50;

describe('lost updates over one shared store', () => {
  let dir: string;
  let servers: ServingConnector[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'memory-cas-'));
  });
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close(1000)));
    servers = [];
    await rm(dir, { recursive: true, force: true });
  });

  async function replicas(makeConnector: () => Connector): Promise<string[]> {
    servers = await Promise.all(
      Array.from({ length: WORKERS }, (_, i) =>
        serveConnector(makeConnector(), {
          socketPath: join(dir, `replica-${i}.sock`),
          processMetrics: false,
        }),
      ),
    );
    return servers.map((server) => server.socketPath);
  }

  it(`${WORKERS} replicas x ${CYCLES} read-increment-write cycles end at exactly ${WORKERS * CYCLES}`, async () => {
    const store = new MemoryConnector();
    const sockets = await replicas(() => withCompareAndSet(store, 1000));
    const result = await runCounterWorkload({ sockets, key: 'counter', workers: WORKERS, cycles: CYCLES });
    expect(result.final).toBe(WORKERS * CYCLES);
    expect(result.conflicts).toBeGreaterThan(0);
  });

  it('without the remembered versions (blind writes) the same workload loses updates', async () => {
    const store = new MemoryConnector();
    const sockets = await replicas(() => store);
    const result = await runCounterWorkload({ sockets, key: 'counter', workers: WORKERS, cycles: CYCLES });
    expect(result.final).toBeLessThan(WORKERS * CYCLES);
  });

  it('workers sharing ONE connector are exact when they send If-Match', async () => {
    const store = new MemoryConnector();
    servers = [
      await serveConnector(withCompareAndSet(store, 1000), {
        socketPath: join(dir, 'one.sock'),
        processMetrics: false,
      }),
    ];
    const result = await runCounterWorkload({
      sockets: [servers[0]!.socketPath],
      key: 'counter',
      workers: WORKERS,
      cycles: CYCLES,
      explicitIfMatch: true,
    });
    expect(result.final).toBe(WORKERS * CYCLES);
  });
});
