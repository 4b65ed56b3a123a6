import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveConnector, withCompareAndSet } from '@state-proxy/connector-core';
import { describeConformance } from '@state-proxy/connector-core/conformance';
import { type StartedConnector, spawnConnector } from '@state-proxy/connector-core/testing';
import { MemoryConnector } from './connector.js';
import { variant } from './variant.js';

const entry = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));

/**
 * Replicas must share a store, which processes of the memory connector cannot: they are served
 * in this process, over one store, each with its own CAS memory as each process has.
 */
async function inProcessReplicas(count: number): Promise<StartedConnector[]> {
  const store = new MemoryConnector();
  const dir = await mkdtemp(join(tmpdir(), 'memory-replicas-'));
  let running = count;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const serving = await serveConnector(withCompareAndSet(store, 1000), {
        socketPath: join(dir, `replica-${i}.sock`),
        writeMode: variant.writeMode,
        processMetrics: false,
      });
      return {
        socketPath: serving.socketPath,
        async stop() {
          await serving.close(1000);
          if (--running === 0) await rm(dir, { recursive: true, force: true });
        },
      };
    }),
  );
}

// Each start is a new process, so each gets an empty store.
describeConformance({
  name: 'memory',
  start: (env) => spawnConnector({ entry, env: { ...env } }),
  features: { variant, replicas: inProcessReplicas },
});
