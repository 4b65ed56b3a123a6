/** A variant's bundle is one file that runs with no node_modules beside it. */
import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectorClient } from '../testing/client.js';
import { spawnConnector } from '../testing/spawn.js';

/** True when Node would find a node_modules directory from `dir` upwards. */
async function nodeModulesAbove(dir: string): Promise<string | undefined> {
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, 'node_modules');
    if (await stat(candidate).catch(() => undefined)) return candidate;
    if (dirname(at) === at) return undefined;
  }
}

export interface StandaloneBundleOptions {
  name: string;
  entry: string;
  env: Record<string, string>;
  /** What /readyz answers with `env`: 503 when it points at a backend that is not there. */
  readyStatus: 200 | 503;
}

export function describeStandaloneBundle(options: StandaloneBundleOptions): void {
  describe(`bundle: ${options.name}`, () => {
    it('starts and serves from an empty directory with no node_modules', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'bundle-'));
      try {
        expect(await nodeModulesAbove(dir)).toBeUndefined();
        const entry = join(dir, 'main.cjs');
        await copyFile(options.entry, entry);
        // The backend need not be there: liveness does not depend on it, readiness does.
        const connector = await spawnConnector({ entry, env: options.env });
        const client = new ConnectorClient(connector.socketPath);
        try {
          expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
          expect((await client.request({ method: 'GET', path: '/readyz' })).status).toBe(options.readyStatus);
        } finally {
          client.close();
          await connector.stop();
        }
        expect(await connector.exited).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
