// vitest globalSetup: the engine for the run and the images built from this checkout (so that what
// is tested is what the Dockerfile makes of the sources now), then one S3 server for the S3 images.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { provideS3Server } from '@state-proxy/s3-connector/testing';
import type { TestProject } from 'vitest/node';
import { startEngine } from './engine.js';

const BUILD_IMAGES = fileURLToPath(new URL('../../../scripts/build-images', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const engine = await startEngine();
  try {
    // Without testcontainers' reaper, what an interrupted run left behind goes now: stopped and
    // old enough not to be another run's on this machine.
    if (engine.kind === 'podman')
      await promisify(execFile)('podman', [
        ...['container', 'prune', '--force'],
        ...['--filter', 'label=org.testcontainers=true', '--filter', 'until=2h'],
      ]);
    const started = performance.now();
    // --local: this machine's platform, into this engine (the default builds a release's platforms).
    await promisify(execFile)(BUILD_IMAGES, ['--local'], { maxBuffer: 64 * 1024 * 1024 });
    console.log(`image-test: images built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    project.provide('engine', { kind: engine.kind, env: engine.env });
    const stopS3 = await provideS3Server(project);
    return async () => {
      await stopS3();
      await engine.stop();
      // testcontainers' lock for its reaper, made in the temp dir even when the reaper is off.
      await rm(join(tmpdir(), `testcontainers-node-${userInfo().uid}.lock`), { force: true });
    };
  } catch (error) {
    await engine.stop();
    throw error;
  }
}
