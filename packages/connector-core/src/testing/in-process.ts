/** A connector served in the test process, as its image would run it, without building a bundle. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../config.js';
import { type RunOptions, startVariant } from '../run.js';
import type { StartedConnector } from './spawn.js';

/**
 * Serves `options` (what a main.ts hands to runConnector) in this process with `env` as its
 * environment; CONNECTOR_SOCKET defaults to a socket in a temp dir of its own, removed on stop.
 */
export async function startInProcess(options: RunOptions, env: Env = {}): Promise<StartedConnector> {
  const dir = await mkdtemp(join(tmpdir(), 'connector-'));
  try {
    const { serving } = await startVariant(options, {
      CONNECTOR_SOCKET: join(dir, 'connector.sock'),
      ...env,
    });
    return {
      socketPath: serving.socketPath,
      async stop() {
        await serving.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
