// Streams 1 GiB (generated, never stored) through s3-passthrough as one chunked PUT, reads it back
// by SHA-256, and reports the connector process's peak RSS (VmHWM), which must stay below the
// 128 MiB the S3 sidecars are given (README: Memory and sizing). Run after `pnpm build`:
//   node bench/stream-1gib.ts            (TEST_S3_ENDPOINT etc. reuse a running server)
// Exits 1 when the peak RSS is at or above the limit or the bytes differ.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBucket, s3Backend } from '@state-proxy/test-backends';
import { chunkedPut, generatedBody, hashedGet } from '../../s3-connector/src/testing/streams.ts';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_BYTES ?? 1024 * MiB);
const LIMIT = 128 * MiB;
const entry = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));

async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  if (kib === undefined) throw new Error('no VmHWM in /proc/<pid>/status');
  return Number(kib) * 1024;
}

const backend = await s3Backend();
const dir = await mkdtemp(join(tmpdir(), 'bench-1gib-'));
const socketPath = join(dir, 'connector.sock');
const child = spawn(process.execPath, [entry], {
  env: {
    ...process.env,
    CONNECTOR_SOCKET: socketPath,
    STATE_BUCKET: await createBucket(backend, 'bench-1gib'),
    STATE_PREFIX: 'bench',
    AWS_ENDPOINT_URL: backend.endpoint,
    AWS_REGION: backend.region,
    AWS_ACCESS_KEY_ID: backend.accessKeyId,
    AWS_SECRET_ACCESS_KEY: backend.secretAccessKey,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"connector listening"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`connector exited with ${code}: ${output}`)));
  });
  const idle = await peakRss(child.pid!);

  const body = generatedBody(SIZE);
  const putStart = performance.now();
  const put = await chunkedPut(socketPath, '/keys/big/1gib.bin', body.stream);
  const putSeconds = (performance.now() - putStart) / 1000;
  if (put.status !== 204) throw new Error(`PUT answered ${put.status}: ${put.text}`);
  const afterPut = await peakRss(child.pid!);

  const getStart = performance.now();
  const got = await hashedGet(socketPath, '/keys/big/1gib.bin');
  const getSeconds = (performance.now() - getStart) / 1000;
  const peak = await peakRss(child.pid!);
  const same = got.status === 200 && got.bytes === SIZE && got.sha256 === body.sha256();

  const mib = (bytes: number) => (bytes / MiB).toFixed(1);
  console.log(
    JSON.stringify({
      bytes: SIZE,
      putMiBps: Number((SIZE / MiB / putSeconds).toFixed(1)),
      getMiBps: Number((SIZE / MiB / getSeconds).toFixed(1)),
      sha256Match: same,
      rssIdleMiB: Number(mib(idle)),
      rssPeakAfterPutMiB: Number(mib(afterPut)),
      rssPeakMiB: Number(mib(peak)),
      limitMiB: LIMIT / MiB,
    }),
  );
  process.exitCode = same && peak < LIMIT ? 0 : 1;
} finally {
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  await rm(dir, { recursive: true, force: true });
  await backend.stop();
}
