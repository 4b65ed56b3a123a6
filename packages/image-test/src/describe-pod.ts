/**
 * The tests every variant's image runs in the pod layout: the container's identity and its
 * read-only root, the compile cache, shutdown, the conformance suite over the socket volume and,
 * for buffered variants, where large bodies spill.
 */

import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { VariantDeclaration } from '@state-proxy/connector-core';
import { describeConformance } from '@state-proxy/connector-core/conformance';
import { ConnectorClient } from '@state-proxy/connector-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImageRoot, type ImageRoot } from './image.js';
import { type Pod, type PodOptions, startPod } from './pod.js';
import { podSupportProblem } from './sandbox.js';

export interface PodVariant {
  /** The variant's declaration (its package's `./variant` export). */
  declaration: VariantDeclaration;
  /** The bundle the image ships (dist/main.cjs). */
  bundle: string;
  /** `--build-arg`s, as docker-bake.hcl gives them. */
  buildArgs(): Promise<Record<string, string>>;
  /** Backend settings for one pod: a fresh, empty namespace each call (a unique STATE_PREFIX). */
  backendEnv(): Record<string, string>;
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

/** The spool files in a pod's /tmp volume. */
async function spoolFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('state-proxy-spool-'));
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * The conformance suite passes settings whose paths are the host's: its STATE_SPOOL_DIR (a temp
 * dir it then inspects) becomes the pod's /tmp volume, where the image spills by default.
 */
function podOptionsFor(env: Record<string, string> = {}): PodOptions {
  const { STATE_SPOOL_DIR: spoolDir, ...rest } = env;
  return { env: rest, tmpVolume: spoolDir ?? true };
}

export function describePod(pod: PodVariant): void {
  const variant = { ...pod, name: pod.declaration.name };
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

    describeConformance({
      name: `${variant.name} in a pod`,
      start: (env) => start(podOptionsFor(env)),
      // What the pod adds is its environment: the lost-update runs of many replicas are the
      // variants' own suites' (and the memory connector's processes could not share a store).
      features: { variant: variant.declaration, replicas: null },
    });

    if (variant.declaration.writeMode === 'buffered') spillTests(variant, start);
  });
}

/** Bodies above STATE_SPOOL_MEMORY_BYTES go to a file in the OS temp dir: /tmp, a volume in the pod. */
function spillTests(variant: { name: string }, start: (options: PodOptions) => Promise<Pod>): void {
  const MEMORY_BYTES = 64 * 1024;
  const BODY_BYTES = 1024 * 1024;

  describe(`a body above STATE_SPOOL_MEMORY_BYTES=${MEMORY_BYTES}`, () => {
    it('spills to the emptyDir at /tmp, round-trips, and leaves no file there', async () => {
      const pod = await start({ env: { STATE_SPOOL_MEMORY_BYTES: String(MEMORY_BYTES) } });
      const client = new ConnectorClient(pod.socketPath);
      try {
        const data = randomBytes(BODY_BYTES);
        const body = new Readable({ read() {} });
        const put = client.put(`${variant.name}/spilled.bin`, body);
        // Half the body, then the file must be there before the rest is sent.
        body.push(data.subarray(0, BODY_BYTES / 2));
        const deadline = Date.now() + 10_000;
        while ((await spoolFiles(pod.tmpVolume!)).length === 0) {
          if (Date.now() > deadline) throw new Error(`no spool file in /tmp after 10 s:\n${pod.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        body.push(data.subarray(BODY_BYTES / 2));
        body.push(null);
        expect((await put).status).toBe(204);
        expect(await spoolFiles(pod.tmpVolume!)).toEqual([]);
        const read = await client.get(`${variant.name}/spilled.bin`);
        expect({ status: read.status, sha: sha256(read.body) }).toEqual({ status: 200, sha: sha256(data) });
      } finally {
        client.close();
        await pod.stop();
      }
      expect(await pod.exited).toBe(0);
    });

    it('without a volume at /tmp (read-only, as in the image) is refused with an error that names the fix; the connector serves on', async () => {
      const pod = await start({ env: { STATE_SPOOL_MEMORY_BYTES: String(MEMORY_BYTES) }, tmpVolume: false });
      const client = new ConnectorClient(pod.socketPath);
      try {
        const key = `${variant.name}/not-spilled.bin`;
        // Twice the threshold, and small enough to be all in the socket's buffer when the answer
        // comes: the connector answers as soon as the file cannot be created, and a client still
        // sending a larger body may see the connection close (EPIPE) before it reads the answer.
        const refused = await client.put(key, randomBytes(2 * MEMORY_BYTES));
        expect(refused.status).toBe(500);
        const error = JSON.parse(refused.body.toString()) as { error: string; message: string };
        expect(error.error).toBe('internal_error');
        expect(error.message).toMatch(
          /^cannot spill the request body to a file in \/tmp \(EROFS\): STATE_SPOOL_DIR/,
        );
        expect(error.message).toContain('mount a volume there');
        expect((await client.get(key)).status).toBe(404);
        expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
        expect((await client.put(key, 'small bodies stay in memory')).status).toBe(204);
      } finally {
        client.close();
        await pod.stop();
      }
      expect(await pod.exited).toBe(0);
    });
  });
}
