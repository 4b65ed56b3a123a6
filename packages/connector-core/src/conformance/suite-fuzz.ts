/**
 * Fuzzing over the socket: a few thousand seeded malformed requests (fuzz-cases.ts) must each get
 * an answer, never a 5xx, every error in the JSON format; afterwards the process still serves and
 * its memory has not grown. The connector runs with the images' heap flags: without them V8 grows
 * its heap as it likes and resident memory says nothing about a leak. The seed is printed:
 * `FUZZ_SEED=<n>` replays a failure exactly.
 */
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectorClient } from '../testing/client.js';
import type { StartedConnector } from '../testing/spawn.js';
import { fuzzCase, seededRandom } from './fuzz-cases.js';
import { expectError, type Suite, uniqueKey } from './suite.js';

const COUNT = Number(process.env.FUZZ_COUNT || 2000);
const CONCURRENCY = 4;
/** One answer may take this long before it counts as none. */
const ANSWER_MS = 5_000;
/** The whole run, bounded whatever happens. */
const RUN_MS = 60_000;
/** As in the container images (images/Dockerfile). */
const IMAGE_HEAP_FLAGS = '--max-semi-space-size=1 --max-old-space-size=32';
/** Requests in flight while a volume test writes or reads its keys. */
const VOLUME_CONCURRENCY = 16;
/** Near the longest key every backend takes with a namespace (S3: 1 024 bytes, the prefix included). */
const LONG_KEY_BYTES = 900;

interface Answer {
  status: number;
  head: string;
  body: Buffer;
}

/** Sends `bytes` on a fresh connection and reads until the server closes it (or ANSWER_MS pass). */
function exchange(socketPath: string, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), ANSWER_MS);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {}); // a reset after the answer: what was read still counts
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      const head = (end === -1 ? all : all.subarray(0, end)).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body: end === -1 ? Buffer.alloc(0) : dechunk(head, all.subarray(end + 4)) });
    });
    socket.write(bytes);
  });
}

function dechunk(head: string, body: Buffer): Buffer {
  if (!/\r\ntransfer-encoding: chunked/i.test(head)) return body;
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** What is wrong with this answer, if anything. */
function problemWith(answer: Answer, head: boolean): string | undefined {
  if (answer.status === 0) return 'no answer';
  if (answer.status >= 500) return `status ${answer.status}`;
  if (answer.status < 400 || head || answer.body.length === 0) return undefined;
  if (!/\r\ncontent-type: application\/json/i.test(answer.head)) return 'error not JSON';
  try {
    const parsed = JSON.parse(answer.body.toString('utf8')) as { error?: unknown; message?: unknown };
    if (typeof parsed.error !== 'string' || typeof parsed.message !== 'string')
      return 'error body not {error, message}';
  } catch {
    return 'error body does not parse';
  }
  return undefined;
}

async function residentBytes(socketPath: string): Promise<number> {
  const metrics = await exchange(
    socketPath,
    Buffer.from('GET /metrics HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n'),
  );
  return Number(/^process_resident_memory_bytes (\d+)/m.exec(metrics.body.toString())?.[1] ?? Number.NaN);
}

export function fuzzTests(suite: Suite): void {
  describe('fuzzing', () => {
    let fuzzed: StartedConnector | undefined;
    beforeAll(async () => {
      fuzzed = await suite.start({ NODE_OPTIONS: IMAGE_HEAP_FLAGS });
    });
    afterAll(async () => {
      await fuzzed?.stop();
    });

    it(`${COUNT} seeded malformed requests: each answered, none 5xx, errors in JSON, process alive, memory flat`, async () => {
      const seed = Number(process.env.FUZZ_SEED || Math.floor(Math.random() * 2 ** 31));
      console.log(`fuzz: seed ${seed} (FUZZ_SEED=${seed} replays it), ${COUNT} requests`);
      const socketPath = fuzzed!.socketPath;
      const random = seededRandom(seed);
      // Generated up front, in order, so the seed alone decides every request.
      const cases = Array.from({ length: COUNT }, () => fuzzCase(random));
      const before = await residentBytes(socketPath);

      const problems: string[] = [];
      const deadline = Date.now() + RUN_MS;
      let next = 0;
      const worker = async () => {
        while (next < cases.length && Date.now() < deadline && problems.length < 10) {
          const index = next++;
          const fuzz = cases[index]!;
          const problem = problemWith(await exchange(socketPath, fuzz.bytes), fuzz.head);
          if (problem)
            problems.push(
              `#${index} ${fuzz.kind}: ${problem} for ${JSON.stringify(fuzz.bytes.toString('latin1').slice(0, 200))}`,
            );
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));

      expect(problems, `seed ${seed}`).toEqual([]);
      expect(next, `seed ${seed}: requests sent within ${RUN_MS} ms`).toBe(COUNT);
      const client = new ConnectorClient(socketPath);
      expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
      client.close();
      const grown = (await residentBytes(socketPath)) - before;
      console.log(
        `fuzz: seed ${seed}, resident memory ${(before / 2 ** 20).toFixed(1)} -> ${((before + grown) / 2 ** 20).toFixed(1)} MiB`,
      );
      expect(grown, `seed ${seed}: resident memory growth in bytes`).toBeLessThan(32 * 1024 * 1024);
    });
  });
}

/** Runs `task(i)` for i in [0, count) with VOLUME_CONCURRENCY in flight; stops at the first failure. */
async function forEachIndex(count: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: VOLUME_CONCURRENCY }, worker));
}

/**
 * What an ordinary workload does at volume, in the image's heap: reads of many distinct
 * long keys (each remembered by the CAS memory) and a listing of a prefix holding many keys. The
 * process must stay up: bounded memory, a clear error past the bound, never an abort.
 */
export function volumeTests(suite: Suite, volume: VolumeFeature): void {
  describe(`volume, in the image's heap (${volume.image.heapMiB} MiB, budget of a ${volume.image.memoryMiB} MiB container)`, () => {
    const imageEnv = {
      NODE_OPTIONS: `--max-semi-space-size=1 --max-old-space-size=${volume.image.heapMiB}`,
      // The default in the image: a sixteenth of the container's limit.
      STATE_MEMORY_BUDGET_BYTES: String((volume.image.memoryMiB * 1024 * 1024) / 16),
    };
    // A connector of its own for each test, so that each shows its own bound.
    let started: StartedConnector | undefined;
    let client: ConnectorClient | undefined;
    beforeEach(async () => {
      started = await suite.start(imageEnv);
      client = new ConnectorClient(started.socketPath, { keepAlive: true, maxSockets: VOLUME_CONCURRENCY });
    });
    afterEach(async () => {
      client?.close();
      await started?.stop();
    });
    const alive = async () => (await client!.request({ method: 'GET', path: '/healthz' })).status;

    it(`${volume.reads} reads of distinct missing keys of ${LONG_KEY_BYTES} bytes`, async () => {
      const base = `${uniqueKey('volume-reads')}/`;
      const statuses = new Map<number, number>();
      await forEachIndex(volume.reads, async (i) => {
        const status = (await client!.get(`${base}${i}`.padEnd(LONG_KEY_BYTES, 'x'))).status;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      });
      expect(Object.fromEntries(statuses)).toEqual({ 404: volume.reads });
      expect(await alive()).toBe(200);
    });

    it(`a listing over ${volume.listedKeys} keys of ${volume.listedKeyBytes} bytes`, async () => {
      const base = `${uniqueKey('volume-list')}/`;
      await forEachIndex(volume.listedKeys, async (i) => {
        const res = await client!.put(`${base}big/${i}`.padEnd(volume.listedKeyBytes, 'x'), '1');
        if (res.status !== 204) throw new Error(`PUT #${i}: ${res.status} ${res.body}`);
      });
      // One pseudo-directory, however many keys are in it.
      expect(await client!.list(base)).toEqual({ keys: [], prefixes: [`${base}big/`] });
      // Every key, recursively: more than the memory budget may hold.
      const recursive = await client!.request({
        method: 'GET',
        path: `/keys/?${new URLSearchParams({ prefix: base, delimiter: '' })}`,
      });
      expectError(recursive, 413, 'too_large');
      expect(await alive()).toBe(200);
    });
  });
}

/** How much a volume run does (ConformanceFeatures.volume): a backend fast enough for it sets it. */
export interface VolumeFeature {
  /** Distinct long keys read. */
  reads: number;
  /** Keys written under one prefix, then listed. */
  listedKeys: number;
  /** Their length, padded. */
  listedKeyBytes: number;
  /** The image's V8 heap cap (images/Dockerfile) and its container's memory limit. */
  image: { heapMiB: number; memoryMiB: number };
}
