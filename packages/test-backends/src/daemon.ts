import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { onProcessExit } from './exit-cleanup.js';

export interface DaemonOptions {
  /** Short name used in errors, e.g. "redis-server". */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr go here, so the log survives the process and can be quoted in errors. */
  logFile: string;
  /** Further log files the daemon writes itself (ceph daemons log to their own file). */
  extraLogFiles?: string[];
  cwd?: string;
}

/** A background server process we own. */
export interface Daemon {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has ended (never rejects). */
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** How it ended, e.g. "exit code 1" or "signal SIGKILL". */
  exitDescription(): string;
  /** The last lines of its logs, for error messages. */
  logTail(lines?: number): string;
  /** Sends `signal`, escalates to SIGKILL after `graceMs`, and resolves once the process is gone. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

function tailOf(file: string, lines: number): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export function startDaemon(options: DaemonOptions): Daemon {
  const logFd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, { cwd: options.cwd, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd); // the child holds its own copy
  }
  let ended = false;
  let how = 'running';
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      ended = true;
      how = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      ended = true;
      how = `failed to start: ${error.message}`;
      resolve();
    });
  });
  const pid = child.pid ?? -1;
  const forget = onProcessExit(() => {
    if (!ended) child.kill('SIGKILL');
  });
  void exited.then(forget);

  const logTail = (lines = 25) =>
    [options.logFile, ...(options.extraLogFiles ?? [])]
      .map((file) => {
        const tail = tailOf(file, lines);
        return tail ? `--- ${file} (last ${lines} lines) ---\n${tail}` : '';
      })
      .filter(Boolean)
      .join('\n');

  return {
    name: options.name,
    pid,
    exited,
    hasExited: () => ended,
    exitDescription: () => how,
    logTail,
    async stop(signal = 'SIGTERM', graceMs = 5000) {
      if (ended) return;
      child.kill(signal);
      const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(escalate);
    },
  };
}

/**
 * Starts daemons side by side. When one fails, the others that started are stopped (SIGKILL) and
 * the first failure is thrown, so a failed start leaves nothing running.
 */
export async function startDaemonsTogether(starts: Array<() => Promise<Daemon>>): Promise<Daemon[]> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.all(started.map((daemon) => daemon.stop('SIGKILL')));
    throw failure.reason;
  }
  return started;
}

/** `error` with the last lines of each daemon's log appended: what a failed start-up needs to be understood. */
export function withDaemonLogs(error: unknown, daemons: Iterable<Daemon>): Error {
  const logs = [...daemons].map((daemon) => `${daemon.name}:\n${daemon.logTail(8)}`).join('\n');
  return new Error(`${error instanceof Error ? error.message : String(error)}\n${logs}`);
}
