/**
 * A variant's bundle is one file that runs with no node_modules beside it, and a socket path it
 * cannot serve on stops it with one line on stderr and nothing else.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
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

/** Runs `entry` to its exit, within 30 s (else it is killed, and the code is null). */
function runToExit(
  entry: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
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

    it('a socket path blocked by a file or by a running process: exit 1, one line on stderr, nothing on stdout', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'bundle-blocked-'));
      const running = createServer();
      try {
        const file = join(dir, 'file.sock');
        await writeFile(file, 'data');
        const live = join(dir, 'live.sock');
        await new Promise<void>((resolve) => running.listen(live, resolve));
        for (const [socketPath, message] of [
          [file, `CONNECTOR_SOCKET ${file} exists and is not a socket`],
          [live, `CONNECTOR_SOCKET ${live} is in use by a running process; refusing to replace it`],
        ] as const) {
          const result = await runToExit(options.entry, { ...options.env, CONNECTOR_SOCKET: socketPath });
          expect(result).toEqual({ code: 1, stdout: '', stderr: `${message}\n` });
        }
      } finally {
        running.close();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
