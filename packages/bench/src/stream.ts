/**
 * Peak RSS while streaming 1 GiB through s3-passthrough. The S3 package owns that measurement
 * (packages/connector-s3-passthrough/bench/stream-1gib.ts: a chunked 1 GiB PUT, a hashed GET back,
 * VmHWM of the connector); we run it against this run's S3 server and keep the JSON line it prints.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Backends, testEnv } from './backends.js';
import { track } from './cleanup.js';
import { repoRoot } from './paths.js';

export interface StreamResult {
  bytes: number;
  putMiBps: number;
  getMiBps: number;
  sha256Match: boolean;
  rssIdleMiB: number;
  rssPeakAfterPutMiB: number;
  rssPeakMiB: number;
  limitMiB: number;
}

export const STREAM_SCRIPT = join(repoRoot, 'packages/connector-s3-passthrough/bench/stream-1gib.ts');

export async function measureStream(backends: Backends): Promise<StreamResult> {
  if (!existsSync(STREAM_SCRIPT)) throw new Error(`${STREAM_SCRIPT} is missing`);
  const child = spawn(process.execPath, [STREAM_SCRIPT], {
    cwd: join(repoRoot, 'packages/connector-s3-passthrough'),
    env: { ...process.env, ...testEnv(backends) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: on interrupt we signal the group, which reaches the connector it
    // spawned too (the script has no signal handler of its own to stop it).
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const untrack = track(async () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  });
  const code = await exited;
  untrack();
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`stream-1gib.ts exited ${code} without a result:\n${stderr}`);
  // Exit code 1 also means "over the limit or bytes differ": the figures say which; we report them.
  return JSON.parse(line) as StreamResult;
}
