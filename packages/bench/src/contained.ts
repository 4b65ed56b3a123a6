/**
 * A server process started inside a memory cgroup, the way a container runtime does it: a shell
 * joins the cgroup and then execs the program, so every page the program touches from its first
 * instruction is charged there. Ready at the first 200 on /healthz (polled every 2 ms, as in
 * startup.ts); spawn-to-ready is the start-up time a pod's readiness probe would see.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MemoryCgroup } from './cgroup.js';
import { track } from './cleanup.js';
import { healthz } from './startup.js';

export interface ContainedOptions {
  cgroup: MemoryCgroup;
  /** The program, e.g. a cold copy of node. */
  command: string;
  args: string[];
  /** The whole environment (besides CONNECTOR_SOCKET): a container's, not the bench's. */
  env: Record<string, string>;
  /** Where the socket directory is made. */
  workDir: string;
  startTimeoutMs?: number;
}

export interface ContainedProcess {
  pid: number;
  socketPath: string;
  /** spawn() to the first 200 on /healthz. */
  startupMs: number;
  alive(): boolean;
  /** How it ended ('code 1', 'SIGKILL'), undefined while alive. */
  exitStatus(): string | undefined;
  /** The last 64 KiB it printed. */
  output(): string;
  /** SIGTERM, SIGKILL after 10 s; removes the socket directory. */
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 64 * 1024;

export async function startContained(options: ContainedOptions): Promise<ContainedProcess> {
  const socketDir = await mkdtemp(join(options.workDir, 'socket-'));
  const socketPath = join(socketDir, 'connector.sock');
  const start = performance.now();
  // $0 is the cgroup's procs file, "$@" the program and its arguments: nothing to quote.
  const child = spawn(
    'sh',
    ['-c', 'echo $$ > "$0" && exec "$@"', options.cgroup.procsFile, options.command, ...options.args],
    {
      env: { ...options.env, CONNECTOR_SOCKET: socketPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let status: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      status = signal ?? `code ${code}`;
      resolve();
    }),
  );
  const stop = async () => {
    if (status === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(socketDir, { recursive: true, force: true });
  };
  const untrack = track(stop);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  try {
    while ((await healthz(socketPath)) !== 200) {
      if (status !== undefined) throw new Error(`exited (${status}) before serving:\n${output.trim()}`);
      if (performance.now() - start > timeoutMs)
        throw new Error(
          `did not serve within ${timeoutMs} ms (${options.cgroup.memory().majorFaults} major page faults in its cgroup):\n${output.trim()}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  } catch (error) {
    untrack();
    await stop();
    throw error;
  }
  const startupMs = performance.now() - start;
  return {
    pid: child.pid!,
    socketPath,
    startupMs,
    alive: () => status === undefined,
    exitStatus: () => status,
    output: () => output,
    async stop() {
      untrack();
      await stop();
    },
  };
}
