/** Ctrl-C of ./scripts/demo: what it started stops, and nothing is left in the temp dir. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { watch } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../dist/demo.js', import.meta.url));

it('on SIGINT while its connectors run, stops them and leaves nothing in its temp dir', async () => {
  // The demo's own temp dir: its connectors' socket dirs (and local servers, if it starts any) go there.
  const dir = await mkdtemp(join(tmpdir(), 'demo-interrupt-'));
  try {
    // The first socket dir of a connector: the demo is starting its connectors now.
    const watcher = watch(dir);
    const connectorStarting = new Promise<void>((resolve) =>
      watcher.on('change', (_event, name) => {
        if (String(name).startsWith('connector-')) resolve();
      }),
    );
    // Uses the backends of the test run (TEST_REDIS_URL, TEST_S3_*), or starts its own.
    const child = spawn(process.execPath, [demo], {
      env: { ...process.env, TMPDIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = once(child, 'exit');
    const endedFirst = await Promise.race([connectorStarting.then(() => false), exited.then(() => true)]);
    if (endedFirst) throw new Error(`the demo ended before starting a connector:\n${output}`);
    watcher.close();

    child.kill('SIGINT');
    const [code, signal] = await exited;
    expect({ code, signal }, output).toEqual({ code: 130, signal: null });
    expect(output).toContain('SIGINT: stopping the connectors this demo started');
    // A connector's socket dir is removed only after its process has exited.
    expect(await readdir(dir), output).toEqual([]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
