/** Starting a connector process on a socket in a fresh temp dir, as a pod would (tests, demo, benchmarks). */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorClient } from './client.js';

export interface StartedConnector {
  socketPath: string;
  stop(): Promise<void>;
}

export interface SpawnedConnector extends StartedConnector {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** What the process printed so far (stdout and stderr, last 256 KiB). */
  output(): string;
}

export interface SpawnOptions {
  /** The connector's main file, e.g. the absolute path of `dist/main.cjs`. */
  entry: string;
  env?: Record<string, string>;
  /** Where to serve; default: a socket in a new temp dir (removed on stop). */
  socketPath?: string;
  /** How long the process may take to serve /healthz. Default 15 s. */
  startTimeoutMs?: number;
  /** How often /healthz is polled meanwhile (WaitOptions.intervalMs). */
  pollMs?: number;
}

const OUTPUT_LIMIT = 256 * 1024;

export async function spawnConnector(options: SpawnOptions): Promise<SpawnedConnector> {
  const dir = await mkdtemp(join(tmpdir(), 'connector-'));
  const socketPath = options.socketPath ?? join(dir, 'connector.sock');
  const child = spawn(process.execPath, [options.entry], {
    env: { ...process.env, LOG_LEVEL: 'info', ...options.env, CONNECTOR_SOCKET: socketPath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  let exitCode: number | null | undefined;
  exited.then((code) => {
    exitCode = code;
  });
  try {
    await waitUntilServing(socketPath, {
      what: 'connector',
      timeoutMs: options.startTimeoutMs,
      intervalMs: options.pollMs,
      exitCode: () => exitCode,
      output: () => output,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { socketPath, child, exited, output: () => output, stop };
}

export interface WaitOptions {
  /** Named in the errors: "connector", "container". */
  what: string;
  /** Default 15 s. */
  timeoutMs?: number | undefined;
  /** Between polls; default 10 ms. The bench's start-up timer polls every 2 ms. */
  intervalMs?: number | undefined;
  /** The exit code once the process has exited (null: killed by a signal), else undefined. */
  exitCode(): number | null | undefined;
  /** What it printed, for the error. */
  output(): string;
}

/**
 * Resolves once /healthz answers 200 on the socket, whatever the log level; fails when the
 * process exits first or the time is up, whichever comes first.
 */
export async function waitUntilServing(socketPath: string, options: WaitOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  const client = new ConnectorClient(socketPath);
  try {
    for (;;) {
      const code = options.exitCode();
      if (code !== undefined)
        throw new Error(`${options.what} exited with code ${code} before serving:\n${options.output()}`);
      if (Date.now() > deadline)
        throw new Error(`${options.what} did not serve within ${timeoutMs} ms:\n${options.output()}`);
      const health = await client.request({ method: 'GET', path: '/healthz' }).catch(() => undefined);
      if (health?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 10));
    }
  } finally {
    client.close();
  }
}
