/**
 * The container engine the images run in, reached through its Docker API socket: Docker where one
 * answers (DOCKER_HOST or /var/run/docker.sock, as on GitHub's runners), else rootful podman, whose
 * `podman system service` is started here for the run on a socket of its own. testcontainers' reaper
 * is an image no registry here can give, so it is off with podman; the tests stop what they start.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Engine {
  /** `docker` or `podman`: which builder scripts/build-images uses and how images are named. */
  kind: 'docker' | 'podman';
  /** The environment testcontainers needs to reach it (DOCKER_HOST, TESTCONTAINERS_RYUK_DISABLED). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

const onPath = (command: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Why no engine can be had here, or undefined when one can. */
export function engineProblem(): string | undefined {
  if (process.env.DOCKER_HOST || existsSync('/var/run/docker.sock')) return undefined;
  if (!onPath('podman'))
    return 'no container engine: neither Docker (DOCKER_HOST, /var/run/docker.sock) nor podman';
  if (process.getuid?.() !== 0) return 'podman is here, but the image tests run it rootful: run them as root';
  return undefined;
}

/** Podman's API service, for this run, until it is stopped. */
async function startPodmanService(): Promise<Engine> {
  const dir = await mkdtemp(join(tmpdir(), 'podman-api-'));
  const socket = join(dir, 'podman.sock');
  // --time=0: no idle timeout; the service lives exactly as long as the run. Its own directory as
  // the working one: conmon leaves a file named `oom` there when a container is OOM-killed.
  const service: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  service.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4096);
  });
  const exited = new Promise<void>((resolve) => service.once('exit', () => resolve()));
  const stop = async () => {
    if (service.exitCode === null && service.signalCode === null) {
      service.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (!existsSync(socket)) {
    if (service.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`podman system service did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    kind: 'podman',
    env: { DOCKER_HOST: `unix://${socket}`, TESTCONTAINERS_RYUK_DISABLED: 'true' },
    stop,
  };
}

export async function startEngine(): Promise<Engine> {
  const problem = engineProblem();
  if (problem) throw new Error(problem);
  if (process.env.DOCKER_HOST || existsSync('/var/run/docker.sock'))
    return { kind: 'docker', env: {}, stop: async () => {} };
  return startPodmanService();
}

/** The image scripts/build-images makes of a variant, as the engine names it. */
export function imageName(engine: Engine['kind'], variant: string): string {
  return `${engine === 'podman' ? 'localhost/' : ''}asya-state-proxy-${variant}:dev`;
}
