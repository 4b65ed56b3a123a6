/**
 * A connector image as it runs in a Kubernetes pod under the restricted pod security standard:
 * the image's entrypoint and environment, as uid 65532, on a read-only root filesystem, with the
 * socket volume (an emptyDir at the socket's directory) and, as README "In Kubernetes" asks, an
 * emptyDir at /tmp for spilled bodies. The tests reach the socket from outside the pod through the
 * socket volume's directory on the host, as the runtime's container does in a pod.
 */

import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { ConnectorClient, type StartedConnector } from '@state-proxy/connector-core/testing';
import type { ImageRoot } from './image.js';
import { leaveToJanitor } from './janitor.js';
import { sandboxedPid, startInSandbox } from './sandbox.js';

export interface PodOptions {
  /** The container's `env:`, over the image's ENV. */
  env?: Record<string, string>;
  /**
   * The emptyDir at /tmp: true (default) for a fresh one, a host directory to use that one, false
   * for none (then /tmp is the image's, read-only).
   */
  tmpVolume?: boolean | string;
  /** How long the connector may take to serve /healthz. Default 15 s. */
  startTimeoutMs?: number;
}

export interface Pod extends StartedConnector {
  /** The connector's pid on the host (pid 1 in the pod). */
  hostPid: number;
  /** The socket volume's directory on the host. */
  socketVolume: string;
  /** The /tmp volume's directory on the host, if the pod has one. */
  tmpVolume: string | undefined;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** What the connector printed so far (stdout and stderr, last 256 KiB). */
  output(): string;
  /** The first complete line of output matching `pattern`, once printed; fails after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

const OUTPUT_LIMIT = 256 * 1024;
/** The mode kubelet gives an emptyDir: any user of the pod may write there. */
const EMPTY_DIR_MODE = 0o777;

async function emptyDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `pod-${name}-`));
  await chmod(dir, EMPTY_DIR_MODE);
  return dir;
}

/** Sends `signal` to `pid`; false when there is no such process (any more). */
function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

export async function startPod(image: ImageRoot, options: PodOptions = {}): Promise<Pod> {
  const env = { ...image.env, ...options.env };
  const socket = env.CONNECTOR_SOCKET ?? '';
  const socketDir = dirname(image.stage.env.CONNECTOR_SOCKET ?? '');
  if (!socket.startsWith(`${socketDir}/`))
    throw new Error(`CONNECTOR_SOCKET ${socket} is not on the socket volume`);

  const socketVolume = await emptyDir('sockets');
  const given = typeof options.tmpVolume === 'string' ? options.tmpVolume : undefined;
  const tmpVolume = given ?? (options.tmpVolume === false ? undefined : await emptyDir('tmp'));
  const ownTmp = tmpVolume !== undefined && given === undefined;
  if (given) await chmod(given, EMPTY_DIR_MODE);
  const forgetDirs = [leaveToJanitor({ dir: socketVolume })];
  if (ownTmp && tmpVolume) forgetDirs.push(leaveToJanitor({ dir: tmpVolume }));
  const volumes = [{ host: socketVolume, path: socketDir }];
  if (tmpVolume) volumes.push({ host: tmpVolume, path: '/tmp' });

  const sandbox: ChildProcess = startInSandbox({
    root: image.dir,
    readOnly: true,
    volumes,
    user: `${image.uid}:${image.gid}`,
    argv: image.stage.entrypoint,
    env,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  sandbox.stdout?.on('data', collect);
  sandbox.stderr?.on('data', collect);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => {
    sandbox.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    });
    sandbox.once('error', (error) => {
      output += `\ncould not run unshare: ${error.message}`;
      exitCode = null;
      resolve(null);
    });
  });
  const forgetPod = sandbox.pid === undefined ? () => {} : leaveToJanitor({ sandbox: sandbox.pid });
  let hostPid: number | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // SIGTERM to the container's pid 1, as the kubelet sends it, then SIGKILL after a grace.
      const pid = hostPid ?? sandboxedPid(sandbox);
      if (exitCode === undefined && pid !== undefined) {
        signal(pid, 'SIGTERM');
        const timer = setTimeout(() => signal(pid, 'SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      } else if (exitCode === undefined) {
        sandbox.kill('SIGKILL'); // no process in the pod (not forked yet): unshare is all there is
        await exited;
      }
      forgetPod();
      await rm(socketVolume, { recursive: true, force: true });
      if (ownTmp && tmpVolume) await rm(tmpVolume, { recursive: true, force: true });
      for (const forget of forgetDirs) forget();
    })();
    return stopping;
  };

  // Ready when /healthz answers through the socket volume; polling ends when the pod exits or
  // the time is up, whichever comes first.
  const socketPath = join(socketVolume, relative(socketDir, socket));
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  const client = new ConnectorClient(socketPath);
  try {
    for (;;) {
      if (exitCode !== undefined)
        throw new Error(`the pod exited with code ${exitCode} before serving:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the pod did not serve within ${timeoutMs} ms:\n${output}`);
      const health = await client.request({ method: 'GET', path: '/healthz' }).catch(() => undefined);
      if (health?.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    hostPid = sandboxedPid(sandbox);
    if (hostPid === undefined) throw new Error(`the pod serves but its pid 1 cannot be found:\n${output}`);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.close();
  }
  // Printed lines arrive through pipes, after the socket may already answer: listen for them.
  const waitForLine = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = output
          .split('\n')
          .slice(0, -1)
          .find((each) => pattern.test(each));
        if (line === undefined) return;
        done();
        resolve(line);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        sandbox.stdout?.off('data', check);
        sandbox.stderr?.off('data', check);
      };
      sandbox.stdout?.on('data', check);
      sandbox.stderr?.on('data', check);
      check();
    });
  return {
    socketPath,
    hostPid,
    socketVolume,
    tmpVolume,
    exited,
    output: () => output,
    waitForLine,
    stop,
  };
}
