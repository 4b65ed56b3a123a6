/**
 * A connector image run as a Kubernetes pod runs it under the restricted profile: read-only root,
 * uid 65532, no capabilities, no privilege escalation, a memory limit with no swap, the socket
 * volume (an emptyDir at the socket's directory) and, where the variant spills bodies, an emptyDir
 * at /tmp. The tests reach the socket through the volume's directory on the host, as the runtime's
 * container does in a pod. The host's network, so that backends on 127.0.0.1 answer.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type StartedConnector, waitUntilServing } from '@state-proxy/connector-core/testing';
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';

/** Where the image serves: its CONNECTOR_SOCKET is /var/run/asya/state/connector.sock. */
export const SOCKET_DIR = '/var/run/asya/state';
const OUTPUT_LIMIT = 256 * 1024;
/** The grace the kubelet gives by default (terminationGracePeriodSeconds: 30) is more than we wait. */
export const STOP_GRACE_MS = 15_000;

export interface ImageOptions {
  image: string;
  /** The container's `env:`, over the image's ENV. */
  env?: Record<string, string>;
  memoryMiB: number;
  /** The emptyDir at /tmp: true for a fresh one, a host directory to use that one, false for none. */
  tmpVolume: boolean | string;
  /** false: the container is expected to exit on its own (a start-up error); do not wait for it to serve. */
  serves?: boolean;
  /** Run this instead of the image's entrypoint (the bench's floor servers, in the same image). */
  entrypoint?: string[];
  /** Host files bound read-only into the container, host path → container path. */
  readOnly?: Record<string, string>;
}

/** How a container ended, from the engine's inspect. */
export interface Ended {
  exitCode: number;
  oomKilled: boolean;
  output: string;
}

export interface RunningImage extends StartedConnector {
  container: StartedTestContainer;
  /** The socket volume's and the /tmp volume's directories on the host. */
  socketVolume: string;
  tmpVolume: string | undefined;
  /** What the connector printed so far (stdout and stderr). */
  output(): string;
  /** The first complete line of output matching `pattern`, once printed; fails after `timeoutMs`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Runs a command in the container, as its user. */
  exec(argv: string[]): Promise<{ exitCode: number; output: string }>;
  /** The engine's state of the container (memory cgroup stats come from `stats`). */
  inspect(): Promise<{ running: boolean; oomKilled: boolean; pid: number }>;
  /** Stops it as the kubelet does (SIGTERM, SIGKILL after STOP_GRACE_MS), says how it ended, removes it. */
  end(): Promise<Ended>;
}

/** testcontainers' GenericContainer, with the pod's security context that it has no method for. */
class PodContainer extends GenericContainer {
  constructor(image: string, memoryBytes: number) {
    super(image);
    this.hostConfig.ReadonlyRootfs = true;
    this.hostConfig.Memory = memoryBytes;
    this.hostConfig.MemorySwap = memoryBytes; // no swap, as on a node
  }
}

async function emptyDir(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `pod-${name}-`));
  await chmod(dir, 0o777); // the mode kubelet gives an emptyDir: any user of the pod may write
  return dir;
}

export async function startImage(options: ImageOptions): Promise<RunningImage> {
  const socketVolume = await emptyDir('sockets');
  const given = typeof options.tmpVolume === 'string' ? options.tmpVolume : undefined;
  const tmpVolume = given ?? (options.tmpVolume ? await emptyDir('tmp') : undefined);
  if (given) await chmod(given, 0o777);
  const removeVolumes = async () => {
    await rm(socketVolume, { recursive: true, force: true });
    if (tmpVolume && !given) await rm(tmpVolume, { recursive: true, force: true });
  };

  let output = '';
  let logsEnded = false;
  const listeners = new Set<() => void>();
  const definition = new PodContainer(options.image, options.memoryMiB * 1024 * 1024)
    .withUser('65532:65532')
    .withDroppedCapabilities('ALL')
    .withSecurityOpt('no-new-privileges')
    .withNetworkMode('host')
    .withEnvironment(options.env ?? {})
    .withBindMounts([
      { source: socketVolume, target: SOCKET_DIR, mode: 'rw' },
      ...(tmpVolume ? [{ source: tmpVolume, target: '/tmp', mode: 'rw' as const }] : []),
      ...Object.entries(options.readOnly ?? {}).map(([source, target]) => ({
        source,
        target,
        mode: 'ro' as const,
      })),
    ])
    // podman mounts writable tmpfs at /run, /var/tmp and /tmp on a read-only root; a pod has none.
    .withTmpFs({ '/run': 'ro', '/var/tmp': 'ro', ...(tmpVolume ? {} : { '/tmp': 'ro' }) })
    .withLogConsumer((stream: Readable) => {
      stream.on('data', (chunk: Buffer | string) => {
        output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
        for (const listener of listeners) listener();
      });
      stream.on('end', () => {
        logsEnded = true;
        for (const listener of listeners) listener();
      });
    });
  if (options.entrypoint) definition.withEntrypoint(options.entrypoint);
  let container: StartedTestContainer;
  try {
    container = await definition.start();
  } catch (error) {
    await removeVolumes();
    throw error;
  }
  const client = await getContainerRuntimeClient();
  const handle = client.container.getById(container.getId());
  const inspect = async () => {
    const info = await client.container.inspect(handle);
    return { running: info.State.Running, oomKilled: info.State.OOMKilled, pid: info.State.Pid, info };
  };

  let ending: Promise<Ended> | undefined;
  const end = () => {
    ending ??= (async () => {
      await container.stop({ timeout: STOP_GRACE_MS, remove: false });
      const { info, oomKilled } = await inspect();
      // The last lines may still be in the log stream when the engine reports the exit.
      await new Promise<void>((resolve) => {
        const done = () => logsEnded && resolve();
        listeners.add(done);
        done();
        setTimeout(resolve, 2_000).unref();
      });
      await client.container.remove(handle, { removeVolumes: true });
      await removeVolumes();
      return { exitCode: info.State.ExitCode, oomKilled, output };
    })();
    return ending;
  };

  const socketPath = join(socketVolume, 'connector.sock');
  if (options.serves !== false) {
    try {
      await waitUntilServing(socketPath, {
        what: `container ${options.image}`,
        exitCode: () => (logsEnded ? -1 : undefined),
        output: () => output,
      });
    } catch (error) {
      await end();
      throw error;
    }
  }

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
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  return {
    container,
    socketPath,
    socketVolume,
    tmpVolume,
    output: () => output,
    waitForLine,
    exec: async (argv) => {
      const result = await container.exec(argv, { user: '65532:65532' });
      return { exitCode: result.exitCode, output: result.output };
    },
    inspect: async () => {
      const { running, oomKilled, pid } = await inspect();
      return { running, oomKilled, pid };
    },
    end,
    stop: async () => {
      await end();
    },
  };
}
