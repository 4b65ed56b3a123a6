// A variant's `create` may build its connector asynchronously (open a backend, make a directory):
// the runner waits for it, and a rejection is a failed start like a throw.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import type { Connector, VariantDeclaration } from './connector.js';
import { ConnectorClient } from './testing/client.js';
import { startInProcess } from './testing/in-process.js';
import type { StartedConnector } from './testing/spawn.js';

const variant = {
  name: 'async-create',
  consistency: 'lww',
  writeMode: 'buffered',
  defaultMaxBodyBytes: undefined,
  attributes: [],
} satisfies VariantDeclaration;

/** A connector that holds one key, `here`. */
function oneKey(): Connector {
  const missing = async () => {
    throw new Error('not scripted');
  };
  return {
    read: missing,
    write: missing,
    delete: missing,
    list: missing,
    stat: async (key) => (key === 'here' ? { length: 3, etag: 'e1' } : undefined),
    checkReady: async () => {},
    close: async () => {},
  };
}

describe('startInProcess with an async create', () => {
  let dir: string;
  let serving: StartedConnector | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'async-create-'));
  });
  afterEach(async () => {
    await serving?.stop();
    serving = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the connector the promise resolves to', async () => {
    const env = { CONNECTOR_SOCKET: join(dir, 's.sock') };
    serving = await startInProcess(
      {
        variant,
        create: async () => {
          await new Promise((resolve) => setImmediate(resolve));
          return { connector: oneKey(), backend: 'later' };
        },
      },
      env,
    );
    const client = new ConnectorClient(serving.socketPath);
    try {
      const head = await client.head('here');
      expect([head.status, head.headers.etag]).toEqual([204, '"e1"']);
    } finally {
      client.close();
    }
  });

  it('a rejection with ConfigError fails the start, and nothing serves', async () => {
    const socketPath = join(dir, 's.sock');
    const start = startInProcess(
      {
        variant,
        create: async () => {
          throw new ConfigError('FILES_ROOT environment variable is required');
        },
      },
      { CONNECTOR_SOCKET: socketPath },
    );
    await expect(start).rejects.toThrow(new ConfigError('FILES_ROOT environment variable is required'));
    await expect(stat(socketPath)).rejects.toThrow(/ENOENT/);
  });
});
