/**
 * The tests every variant's image runs in the pod layout: the container's identity and its
 * read-only root, the compile cache, shutdown, and the conformance suite over the socket volume.
 */
import { readFile, stat } from 'node:fs/promises';
import { describeConformance } from '@state-proxy/connector-core/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImageRoot, type ImageRoot } from './image.js';
import { type Pod, type PodOptions, startPod } from './pod.js';
import { podSupportProblem } from './sandbox.js';

export interface PodVariant {
  /** e.g. `redis-buffered-cas` */
  name: string;
  /** The bundle the image ships (dist/main.cjs). */
  bundle: string;
  /** `--build-arg`s, as docker-bake.hcl gives them. */
  buildArgs(): Promise<Record<string, string>>;
  /** Backend settings for one pod: a fresh, empty namespace each call (a unique STATE_PREFIX). */
  backendEnv(): Record<string, string>;
  buffered: boolean;
}

/** Fields of /proc/<pid>/status. */
async function processStatus(pid: number): Promise<Record<string, string>> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  return Object.fromEntries(text.split('\n').map((line) => line.split(/:\s*/, 2) as [string, string]));
}

/** Mount point → its per-mount options, as the process sees them (relative to its root). */
async function mountOptions(pid: number): Promise<Map<string, string[]>> {
  const text = await readFile(`/proc/${pid}/mountinfo`, 'utf8');
  const mounts = new Map<string, string[]>();
  for (const line of text.trim().split('\n')) {
    const fields = line.split(' ');
    mounts.set(fields[4]!, fields[5]!.split(','));
  }
  return mounts;
}

/**
 * The conformance suite passes settings whose paths are the host's: its STATE_SPOOL_DIR (a temp
 * dir it then inspects) becomes the pod's /tmp volume, where the image spills by default.
 */
function podOptionsFor(env: Record<string, string> = {}): PodOptions {
  const { STATE_SPOOL_DIR: spoolDir, ...rest } = env;
  return { env: rest, tmpVolume: spoolDir ?? true };
}

export function describePod(variant: PodVariant): void {
  describe(`${variant.name} image in a pod`, () => {
    it('this machine can run the pod (root, unshare, mount, setpriv, chroot, ldd)', () => {
      expect(podSupportProblem()).toBeUndefined();
    });

    let image: ImageRoot | undefined;
    beforeAll(async () => {
      image = await buildImageRoot({ bundle: variant.bundle, buildArgs: await variant.buildArgs() });
    });
    afterAll(async () => {
      await image?.remove();
    });
    const start = (options: PodOptions = {}) => {
      if (!image) throw new Error('no image root (see the first failure)');
      return startPod(image, { ...options, env: { ...variant.backendEnv(), ...options.env } });
    };

    describe('the container', () => {
      let pod: Pod | undefined;
      beforeAll(async () => {
        // Node says whether it used the compile cache.
        pod = await start({ env: { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } });
      });
      afterAll(async () => {
        await pod?.stop();
      });

      it('serves its socket on the socket volume, owned by uid 65532, connectable by other users (0666)', async () => {
        const socket = await stat(pod!.socketPath);
        expect(socket.isSocket()).toBe(true);
        expect({ uid: socket.uid, gid: socket.gid, mode: socket.mode & 0o777 }).toEqual({
          uid: 65532,
          gid: 65532,
          mode: 0o666,
        });
      });

      it('runs as pid 1, uid and gid 65532, no other groups, no capabilities, no privilege escalation', async () => {
        const status = await processStatus(pod!.hostPid);
        expect(status.NSpid?.split(/\s+/).at(-1)).toBe('1');
        expect(status.Uid?.split(/\s+/)).toEqual(['65532', '65532', '65532', '65532']);
        expect(status.Gid?.split(/\s+/)).toEqual(['65532', '65532', '65532', '65532']);
        expect(status.Groups?.trim()).toBe('');
        for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb']) expect(status[set], set).toMatch(/^0+$/);
        expect(status.NoNewPrivs).toBe('1');
      });

      it('sees a read-only root; only the socket volume and /tmp are writable', async () => {
        const mounts = await mountOptions(pod!.hostPid);
        expect(mounts.get('/')).toContain('ro');
        expect(mounts.get('/var/run/asya/state')).toContain('rw');
        expect(mounts.get('/tmp')).toContain('rw');
        // Beside /proc and /dev, which a runtime provides (a root-owned tmpfs with device nodes).
        const writable = [...mounts]
          .filter(([path, flags]) => flags.includes('rw') && !/^\/(proc|dev)(\/|$)/.test(path))
          .map(([path]) => path);
        expect(writable.sort()).toEqual(['/tmp', '/var/run/asya/state']);
      });

      it('starts from the compile cache the image build made as uid 65532', async () => {
        await pod!.waitForLine(/V8 code cache for CommonJS \/app\/main\.cjs was accepted/);
      });

      it('logs that it listens, as pid 1 in the pod', async () => {
        const line = await pod!.waitForLine(/"msg":"connector listening"/);
        expect(JSON.parse(line)).toMatchObject({ pid: 1, variant: variant.name });
      });

      it('on SIGTERM to pid 1 (what the kubelet sends) exits 0 and removes its socket', async () => {
        await pod!.stop();
        expect(await pod!.exited).toBe(0);
        await expect(stat(pod!.socketPath)).rejects.toThrow(/ENOENT/);
      });
    });

    describeConformance({ name: `${variant.name} in a pod`, start: (env) => start(podOptionsFor(env)) });
  });
}
