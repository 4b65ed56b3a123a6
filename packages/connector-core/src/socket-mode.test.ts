// The socket's mode is set as it is created, never by a chmod of its path afterwards: whoever can
// write the socket's directory could put a symlink there first, and have its target chmod'ed.
import { lstat, mkdtemp, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Connector } from './connector.js';
import { type ServingConnector, serveConnector } from './run.js';

/** Runs before any chmod the connector makes: the attacker's move, at the worst moment. */
const hooks = vi.hoisted(() => ({ beforeChmod: undefined as ((path: string) => Promise<void>) | undefined }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    chmod: async (path: Parameters<typeof actual.chmod>[0], mode: Parameters<typeof actual.chmod>[1]) => {
      await hooks.beforeChmod?.(String(path));
      return actual.chmod(path, mode);
    },
  };
});

const idle: Connector = {
  read: async () => undefined,
  stat: async () => undefined,
  write: async () => ({ etag: 'e' }),
  delete: async () => false,
  list: async () => ({ keys: [], commonPrefixes: [] }),
  checkReady: async () => {},
  close: async () => {},
} as unknown as Connector;

describe('the socket mode', () => {
  let dir: string;
  let serving: ServingConnector | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'socket-mode-'));
  });
  afterEach(async () => {
    hooks.beforeChmod = undefined;
    await serving?.close(1000);
    serving = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('is the socket’s from its creation: a symlink swapped in for it is never followed', async () => {
    const socketPath = join(dir, 's.sock');
    const target = join(dir, 'target');
    await writeFile(target, 'not the socket', { mode: 0o600 });
    hooks.beforeChmod = async (path) => {
      if (path !== socketPath) return;
      await rename(socketPath, join(dir, 'moved.sock'));
      await symlink(target, socketPath);
    };
    const before = join(dir, 'before');
    await writeFile(before, '', { mode: 0o666 });

    serving = await serveConnector(idle, { socketPath, socketMode: 0o640, processMetrics: false });

    expect((await stat(target)).mode & 0o777).toBe(0o600);
    const socket = await lstat(socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o640);
    // The process umask is back to what it was: files made afterwards get the modes they always did.
    const after = join(dir, 'after');
    await writeFile(after, '', { mode: 0o666 });
    expect((await stat(after)).mode & 0o777).toBe((await stat(before)).mode & 0o777);
  });
});
