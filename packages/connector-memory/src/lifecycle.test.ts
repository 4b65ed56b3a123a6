/**
 * The process contract (docs/protocol.md#the-process), checked on the memory connector's bundle:
 * start, config errors, shutdown.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ConnectorClient, type SpawnedConnector, spawnConnector } from '@state-proxy/connector-core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));

/**
 * The line of the connector's output that contains `text`, once it has been printed. The socket
 * serves a moment before the start line is logged, and the SIGTERM/SIGINT handlers are installed
 * right after it, in the same synchronous step: a request sent once the line is seen is answered
 * by a process that shuts down gracefully. Rejects when the process exits first.
 */
async function loggedLine(connector: SpawnedConnector, text: string): Promise<string> {
  const stdout = connector.child.stdout!;
  const exited = connector.exited.then((code) => ({ code }));
  // Each turn waits for more output; the process prints a handful of lines while it starts.
  for (let chunks = 0; chunks < 1000; chunks++) {
    const line = connector
      .output()
      .split('\n')
      .find((candidate) => candidate.includes(text));
    if (line !== undefined) return line;
    const exit = await Promise.race([once(stdout, 'data').then(() => undefined), exited]);
    if (exit)
      throw new Error(`the connector exited (${exit.code}) before logging "${text}":\n${connector.output()}`);
  }
  throw new Error(`the connector did not log "${text}":\n${connector.output()}`);
}

describe('process lifecycle', () => {
  let dir: string;
  /** Started by failedStart: one that did not fail is stopped after its test. */
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lifecycle-'));
  });
  afterEach(async () => {
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts the bundle with `env` (CONNECTOR_SOCKET unset unless given) and waits for it to exit. */
  async function failedStart(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
    const base = { ...process.env };
    delete base.CONNECTOR_SOCKET;
    const child = spawn(process.execPath, [entry], {
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    return { code, lines: stderr.trim().split('\n') };
  }

  it('exits 1 with one clear line when CONNECTOR_SOCKET is missing', async () => {
    expect(await failedStart({})).toEqual({
      code: 1,
      lines: ['CONNECTOR_SOCKET environment variable is required'],
    });
  });

  it('exits 1 naming the setting when a setting is invalid', async () => {
    expect(
      await failedStart({ CONNECTOR_SOCKET: join(dir, 's.sock'), STATE_MAX_BODY_BYTES: 'lots' }),
    ).toEqual({
      code: 1,
      lines: ["STATE_MAX_BODY_BYTES must be a non-negative integer, got 'lots'"],
    });
  });

  it('exits 1 with one line naming CONNECTOR_SOCKET and the fix when the socket cannot be made there', async () => {
    await writeFile(join(dir, 'file'), 'not a directory');
    const cases: Array<[string, RegExp]> = [
      [
        join(dir, 'file', 's.sock'),
        /its directory .* does not exist and a file is in the way of it: choose another path/,
      ],
      [
        join(dir, 'x'.repeat(120), 's.sock'),
        /bytes long; a Unix socket path has at most 107: choose a shorter one/,
      ],
    ];
    for (const [socket, fix] of cases) {
      const { code, lines } = await failedStart({ CONNECTOR_SOCKET: socket });
      expect(code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^CONNECTOR_SOCKET /);
      expect(lines[0]).toMatch(fix);
    }
  });

  it('logs one JSON start line with variant, prefix and backend, and serves a 0666 socket', async () => {
    const connector = await spawnConnector({ entry, env: { STATE_PREFIX: 'tenant-a' } });
    try {
      // The socket may answer a moment before the line reaches the pipe.
      const line = await loggedLine(connector, 'connector listening');
      expect(JSON.parse(line)).toMatchObject({
        variant: 'memory',
        prefix: 'tenant-a',
        backend: 'memory',
      });
      expect((await stat(connector.socketPath)).mode & 0o777).toBe(0o666);
    } finally {
      await connector.stop();
    }
  });

  it('replaces a stale socket left by a killed process', async () => {
    const socketPath = join(dir, 'connector.sock');
    const first = await spawnConnector({ entry, socketPath });
    try {
      first.child.kill('SIGKILL');
      await first.exited;
      expect((await stat(socketPath)).isSocket()).toBe(true);
    } finally {
      await first.stop(); // dead by now: this removes the temp dir spawnConnector made for it
    }
    const second = await spawnConnector({ entry, socketPath });
    try {
      const client = new ConnectorClient(socketPath);
      expect((await client.put('k', 'v')).status).toBe(204);
      client.close();
    } finally {
      await second.stop();
    }
  });

  it('refuses to start on the socket of a running connector: exit 1, one line, and the first serves on', async () => {
    const first = await spawnConnector({ entry });
    const client = new ConnectorClient(first.socketPath);
    try {
      expect(await failedStart({ CONNECTOR_SOCKET: first.socketPath })).toEqual({
        code: 1,
        lines: [
          `CONNECTOR_SOCKET ${first.socketPath} is in use by a running process; refusing to replace it`,
        ],
      });
      expect((await client.put('k', 'v')).status).toBe(204);
    } finally {
      client.close();
      await first.stop();
    }
  });

  it('on SIGTERM lets an in-flight upload finish, removes the socket and exits 0', async () => {
    const connector = await spawnConnector({ entry });
    const client = new ConnectorClient(connector.socketPath);
    try {
      // Until then a SIGTERM would end the process at once: its handlers are not installed yet.
      await loggedLine(connector, 'connector listening');
      const body = new PassThrough();
      const upload = client.put('in-flight', body);
      body.write(Buffer.alloc(100_000, 1));
      // Wait until the server counts the upload in flight (2: the upload and this /metrics request).
      for (let attempt = 0; ; attempt++) {
        const metrics = (await client.request({ method: 'GET', path: '/metrics' })).body.toString();
        if (/state_proxy_requests_in_flight 2/.test(metrics)) break;
        if (attempt > 500) throw new Error('the upload never reached the server');
      }
      connector.child.kill('SIGTERM');
      body.end(Buffer.alloc(100_000, 2));
      expect((await upload).status).toBe(204);
      expect(await connector.exited).toBe(0);
      await expect(stat(connector.socketPath)).rejects.toThrow(/ENOENT/);
      expect(connector.output()).toContain('shutting down');
    } finally {
      client.close();
      await connector.stop();
    }
  });
});
