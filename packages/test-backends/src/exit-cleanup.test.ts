import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { canConnect } from './ports.js';
import { redisAnswersPing } from './redis-server.js';
import { waitUntil } from './wait.js';

// A separate process must end to prove this, so it runs the built package (turbo builds before tests).
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Starts a child that owns a local redis-server, then ends it the way `ending` says. */
async function childWithRedis(ending: 'exit' | 'sigterm') {
  expect(existsSync(dist), `${dist} is missing: run pnpm build first`).toBe(true);
  const script = `
    const { startLocalRedis } = await import(${JSON.stringify(dist)});
    await import('testcontainers'); // loads signal-exit, whose SIGTERM handler must not keep us alive
    const redis = await startLocalRedis();
    console.log(JSON.stringify({ port: redis.port }));
    if (${JSON.stringify(ending)} === 'exit') process.exit(0);
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const { port } = JSON.parse(line.toString()) as { port: number };
  if (ending === 'sigterm') child.kill('SIGTERM');
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { port, code, signal };
}

/** The child sent SIGKILL just before it ended; the kernel finishes that kill asynchronously. */
function redisGone(port: number): Promise<void> {
  return waitUntil(async () => !(await redisAnswersPing('127.0.0.1', port)), {
    what: `the redis-server on port ${port} to be gone`,
    timeoutMs: 10_000,
  });
}

/** A child that owns a TLS cluster (six nodes and a temp dir) and is killed by SIGTERM. */
async function childWithCluster() {
  const script = `
    const { startLocalRedisCluster } = await import(${JSON.stringify(dist)});
    const cluster = await startLocalRedisCluster({ tls: 'server' });
    console.log(JSON.stringify({ ports: cluster.seeds.map((seed) => seed.port), caCert: cluster.tls.caCert }));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const { ports, caCert } = JSON.parse(line.toString()) as { ports: number[]; caCert: string };
  child.kill('SIGTERM');
  const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { ports, dir: dirname(caCert), signal };
}

describe('cleanup when the owning process ends without stop()', () => {
  it('kills the daemon on process.exit()', async () => {
    const { port, code } = await childWithRedis('exit');
    expect(code).toBe(0);
    await redisGone(port);
  });

  it('kills the daemon on SIGTERM and still lets the signal end the process', async () => {
    const { port, signal } = await childWithRedis('sigterm');
    expect(signal).toBe('SIGTERM');
    await redisGone(port);
  });

  it('kills every node of a cluster and removes its temp dir on SIGTERM', async () => {
    const { ports, dir, signal } = await childWithCluster();
    expect(signal).toBe('SIGTERM');
    expect(ports).toHaveLength(6);
    for (const port of ports) {
      await waitUntil(async () => !(await canConnect('127.0.0.1', port)), {
        what: `the cluster node on port ${port} to be gone`,
        timeoutMs: 10_000,
      });
    }
    expect(existsSync(dir)).toBe(false);
  });
});
