/**
 * The tests every variant's image runs in the engine, under the restricted pod profile: who it
 * runs as and what it can write, its labels, start-up and shutdown, a start-up error, the
 * conformance suite and the runtime's calling pattern over the socket volume, and a heavy phase
 * at the variant's memory limit after which the engine must not report it OOM-killed.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { VariantDeclaration } from '@state-proxy/connector-core';
import { describeConformance } from '@state-proxy/connector-core/conformance';
import { ConnectorClient } from '@state-proxy/connector-core/testing';
import { getContainerRuntimeClient, ImageName } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ImageOptions, type RunningImage, SOCKET_DIR, STOP_GRACE_MS, startImage } from './container.js';
import { imageName } from './engine.js';

declare module 'vitest' {
  export interface ProvidedContext {
    engine: { kind: 'docker' | 'podman'; env: Record<string, string> };
  }
}

export interface ImageVariant {
  /** The variant's declaration (its package's `./variant` export). */
  declaration: VariantDeclaration;
  /** The memory limit of the seeds' pod spec, MiB. */
  memoryMiB: number;
  /** A value of this size is written and read back in the heavy phase. */
  largeValueMiB: number;
  /** Backend settings for one container: a fresh, empty namespace each call (a unique STATE_PREFIX). */
  backendEnv(): Record<string, string>;
}

const RUNTIME_CLIENT = fileURLToPath(new URL('../../bench/python/runtime_client.py', import.meta.url));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Run in the container by its own node: what pid 1 is and what it may write. */
const SELF_CHECK = `
const fs = require('node:fs');
const status = Object.fromEntries(fs.readFileSync('/proc/1/status', 'utf8').trim().split('\\n').map((l) => l.split(/:\\s*/, 2)));
const writable = {};
for (const dir of process.argv.slice(1)) {
  try { fs.writeFileSync(dir + '/.write-check', ''); fs.rmSync(dir + '/.write-check'); writable[dir] = 'ok'; }
  catch (error) { writable[dir] = error.code; }
}
console.log(JSON.stringify({ status, writable }));
`;
const PROBED_DIRS = [
  ...['/', '/app', '/app/compile-cache', '/etc', '/home/nonroot', '/nodejs', '/run', '/var/tmp'],
  ...[SOCKET_DIR, '/tmp'],
];

/** The spool files in a /tmp volume. */
async function spoolFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('state-proxy-spool-'));
}

export function describeImage(variant: ImageVariant): void {
  const name = variant.declaration.name;
  // Buffered variants spill bodies to the OS temp dir: in a pod, /tmp is an emptyDir of their own.
  const needsTmp = variant.declaration.writeMode === 'buffered';
  const image = () => imageName(inject('engine').kind, name);
  beforeAll(() => {
    Object.assign(process.env, inject('engine').env);
  });
  const start = (options: Partial<ImageOptions> = {}) =>
    startImage({
      image: image(),
      memoryMiB: variant.memoryMiB,
      tmpVolume: needsTmp,
      ...options,
      env: { ...variant.backendEnv(), ...options.env },
    });

  describe(`${name} image in the engine`, () => {
    it('carries its OCI labels', async () => {
      const client = await getContainerRuntimeClient();
      const labels = (await client.image.inspect(ImageName.fromString(image()))).Config.Labels;
      expect(labels).toMatchObject({
        'org.opencontainers.image.title': `asya-state-proxy-${name}`,
        'org.opencontainers.image.version': 'dev',
        'org.opencontainers.image.licenses': 'Apache-2.0',
      });
    });

    describe('the container', () => {
      let running: RunningImage | undefined;
      let startupMs = 0;
      beforeAll(async () => {
        const started = performance.now();
        // Node says whether it used the compile cache.
        running = await start({ env: { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } });
        startupMs = performance.now() - started;
      });
      afterAll(async () => {
        await running?.end();
      });

      it('starts and serves /healthz on the socket volume (start-up printed)', () => {
        console.log(`${name}: container start to /healthz served: ${startupMs.toFixed(0)} ms`);
        expect(startupMs).toBeGreaterThan(0);
      });

      it('serves its socket owned by uid 65532, connectable by other users (0666)', async () => {
        const socket = await stat(running!.socketPath);
        expect(socket.isSocket()).toBe(true);
        expect({ uid: socket.uid, gid: socket.gid, mode: socket.mode & 0o777 }).toEqual({
          uid: 65532,
          gid: 65532,
          mode: 0o666,
        });
      });

      it('runs as pid 1, uid and gid 65532, no capabilities, no privilege escalation; writes only to its volumes', async () => {
        const result = await running!.exec(['/nodejs/bin/node', '-e', SELF_CHECK, ...PROBED_DIRS]);
        expect(result.exitCode, result.output).toBe(0);
        // Its own line: the container's NODE_DEBUG_NATIVE makes this node print the cache's too.
        const line = result.output.split('\n').find((each) => each.startsWith('{"status"')) ?? result.output;
        const { status, writable } = JSON.parse(line) as {
          status: Record<string, string>;
          writable: Record<string, string>;
        };
        expect(status.NSpid?.split(/\s+/).at(-1)).toBe('1');
        expect(status.Uid?.split(/\s+/)).toEqual(['65532', '65532', '65532', '65532']);
        expect(status.Gid?.split(/\s+/)).toEqual(['65532', '65532', '65532', '65532']);
        for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb']) expect(status[set], set).toMatch(/^0+$/);
        expect(status.NoNewPrivs).toBe('1');
        const expected = Object.fromEntries(
          PROBED_DIRS.map((dir) => [
            dir,
            dir === SOCKET_DIR || (dir === '/tmp' && needsTmp) ? 'ok' : 'EROFS',
          ]),
        );
        expect(writable).toEqual(expected);
      });

      it('starts from the compile cache the image build made as uid 65532', async () => {
        await running!.waitForLine(/V8 code cache for CommonJS \/app\/main\.cjs was accepted/);
      });

      it('logs that it listens, as pid 1', async () => {
        const line = await running!.waitForLine(/"msg":"connector listening"/);
        expect(JSON.parse(line)).toMatchObject({ pid: 1, variant: name });
      });

      it(`on the engine's stop (SIGTERM) exits 0 within ${STOP_GRACE_MS / 1000} s and removes its socket`, async () => {
        const started = performance.now();
        const ended = await running!.end();
        expect({ exitCode: ended.exitCode, oomKilled: ended.oomKilled }).toEqual({
          exitCode: 0,
          oomKilled: false,
        });
        expect(performance.now() - started).toBeLessThan(STOP_GRACE_MS);
        await expect(stat(running!.socketPath)).rejects.toThrow(/ENOENT/);
      });
    });

    it('a start-up error is one line on stderr and exit 1', async () => {
      const running = await start({ env: { CONNECTOR_BODY_TIMEOUT_MS: 'soon' }, serves: false });
      const ended = await running.end();
      expect(ended.exitCode).toBe(1);
      expect(ended.output.trim().split('\n'), ended.output).toHaveLength(1);
      expect(ended.output).toContain('CONNECTOR_BODY_TIMEOUT_MS');
    });

    describeConformance({
      name: `${name} image`,
      // The suite's STATE_SPOOL_DIR (a host temp dir it then inspects) becomes the /tmp volume,
      // where the image spills by default.
      start: (env = {}) => {
        const { STATE_SPOOL_DIR: spoolDir, ...rest } = env;
        return start({ env: rest, tmpVolume: spoolDir ?? needsTmp });
      },
      features: { variant: variant.declaration },
    });

    it("serves the runtime's pattern: Python http.client, a new connection per operation", async () => {
      const running = await start();
      try {
        const { pid } = await running.inspect();
        const { stdout } = await promisify(execFile)(
          'python3',
          [
            RUNTIME_CLIENT,
            '--socket',
            running.socketPath,
            '--pid',
            String(pid),
            '--ops',
            '300',
            '--warmup',
            '20',
          ],
          { timeout: 120_000 },
        );
        const report = JSON.parse(stdout) as { ok: boolean };
        expect(report.ok, stdout).toBe(true);
      } finally {
        await running.end();
      }
    });

    it(`after a heavy phase at its ${variant.memoryMiB} MiB limit (64 concurrent 1 MiB writes, a ${variant.largeValueMiB} MiB value) is not OOM-killed`, async () => {
      const running = await start();
      const client = new ConnectorClient(running.socketPath);
      try {
        const mib = randomBytes(1024 * 1024);
        const puts = await Promise.all(
          Array.from({ length: 64 }, (_, i) => client.put(`heavy/${i}.bin`, mib).then((res) => res.status)),
        );
        expect(puts).toEqual(Array(64).fill(204));
        const read = await client.get('heavy/63.bin');
        expect({ status: read.status, sha: sha256(read.body) }).toEqual({ status: 200, sha: sha256(mib) });

        const large = await client.request({
          method: 'PUT',
          path: '/keys/heavy/large.bin',
          headers: { 'content-length': String(variant.largeValueMiB * 1024 * 1024) },
          body: Readable.from(largeBody(variant.largeValueMiB, mib)),
        });
        expect(large.status).toBe(204);
        const head = await client.request({ method: 'HEAD', path: '/keys/heavy/large.bin' });
        expect(head.headers['content-length']).toBe(String(variant.largeValueMiB * 1024 * 1024));
        expect(await running.inspect()).toMatchObject({ running: true, oomKilled: false });
      } finally {
        client.close();
      }
      const ended = await running.end();
      expect({ exitCode: ended.exitCode, oomKilled: ended.oomKilled }).toEqual({
        exitCode: 0,
        oomKilled: false,
      });
    });

    if (needsTmp) spillTests(name, start);
  });
}

/** `mib` MiB, one 1 MiB buffer sent again and again. */
function* largeBody(mib: number, chunk: Buffer): Generator<Buffer> {
  for (let i = 0; i < mib; i++) yield chunk;
}

/** Bodies above STATE_SPOOL_MEMORY_BYTES go to a file in the OS temp dir: /tmp, a volume in the pod. */
function spillTests(name: string, start: (options?: Partial<ImageOptions>) => Promise<RunningImage>): void {
  const MEMORY_BYTES = 64 * 1024;
  const BODY_BYTES = 1024 * 1024;

  describe(`a body above STATE_SPOOL_MEMORY_BYTES=${MEMORY_BYTES}`, () => {
    it('spills to the emptyDir at /tmp, round-trips, and leaves no file there', async () => {
      const running = await start({ env: { STATE_SPOOL_MEMORY_BYTES: String(MEMORY_BYTES) } });
      const client = new ConnectorClient(running.socketPath);
      try {
        const data = randomBytes(BODY_BYTES);
        const body = new Readable({ read() {} });
        const put = client.put(`${name}/spilled.bin`, body);
        // Half the body, then the file must be there before the rest is sent.
        body.push(data.subarray(0, BODY_BYTES / 2));
        const deadline = Date.now() + 10_000;
        while ((await spoolFiles(running.tmpVolume!)).length === 0) {
          if (Date.now() > deadline)
            throw new Error(`no spool file in /tmp after 10 s:\n${running.output()}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        body.push(data.subarray(BODY_BYTES / 2));
        body.push(null);
        expect((await put).status).toBe(204);
        expect(await spoolFiles(running.tmpVolume!)).toEqual([]);
        const read = await client.get(`${name}/spilled.bin`);
        expect({ status: read.status, sha: sha256(read.body) }).toEqual({ status: 200, sha: sha256(data) });
      } finally {
        client.close();
      }
      expect((await running.end()).exitCode).toBe(0);
    });

    it('without a volume at /tmp (read-only, as in the image) is refused with an error that names the fix; the connector serves on', async () => {
      const running = await start({
        env: { STATE_SPOOL_MEMORY_BYTES: String(MEMORY_BYTES) },
        tmpVolume: false,
      });
      const client = new ConnectorClient(running.socketPath);
      try {
        const key = `${name}/not-spilled.bin`;
        // Twice the threshold, and small enough to be all in the socket's buffer when the answer
        // comes: the connector answers as soon as the file cannot be created.
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
      }
      expect((await running.end()).exitCode).toBe(0);
    });
  });
}
