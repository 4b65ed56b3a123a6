import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redisAnswersPing } from './redis-server.js';
import { runWithBackends } from './run-with-backends.js';
import { parseTopologyUrl } from './topology-url.js';

describe('runWithBackends (the test-backends CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the command with the backend in its env, returns its exit code, and stops the backend', async () => {
    const out = join(dir, 'env.json');
    const script = `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env)); process.exit(7)`;
    const code = await runWithBackends(['run', '--redis', '--', process.execPath, '-e', script]);
    expect(code).toBe(7);
    const env = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(env.TEST_REDIS_URL).toMatch(/^rediss?:\/\//);
    expect(env.TEST_S3_ENDPOINT ?? '').toBe(process.env.TEST_S3_ENDPOINT ?? ''); // --redis only: S3 untouched
    if (!process.env.TEST_REDIS_URL) {
      const { hostname, port } = new URL(env.TEST_REDIS_URL!);
      expect(await redisAnswersPing(hostname, Number(port))).toBe(false);
    }
  });

  it('starts a cluster and a sentinel set when asked, and only those, and stops them', async () => {
    const out = join(dir, 'topologies.json');
    const script = `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env))`;
    const code = await runWithBackends([
      'run',
      '--redis-cluster',
      '--redis-sentinel',
      '--',
      process.execPath,
      '-e',
      script,
    ]);
    expect(code).toBe(0);
    const env = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    expect(env.TEST_REDIS_URL ?? '').toBe(process.env.TEST_REDIS_URL ?? ''); // not asked for: untouched
    const cluster = parseTopologyUrl(env.TEST_REDIS_CLUSTER_URL!, 'cluster');
    const sentinel = parseTopologyUrl(env.TEST_REDIS_SENTINEL_URL!, 'sentinel');
    expect(cluster.addresses).toHaveLength(6);
    expect(sentinel).toMatchObject({ masterName: 'mymaster' });
    expect(sentinel.addresses).toHaveLength(3);
    const started = [
      ...(process.env.TEST_REDIS_CLUSTER_URL ? [] : cluster.addresses),
      ...(process.env.TEST_REDIS_SENTINEL_URL ? [] : sentinel.addresses),
    ];
    for (const { host, port } of started) expect(await redisAnswersPing(host, port)).toBe(false);
  });

  it('reports the exit code of a command killed by a signal as 128 + signal number', async () => {
    const code = await runWithBackends(['run', '--redis', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(code).toBe(128 + 15);
  });

  it('rejects a call without a command with usage and exit code 2', async () => {
    expect(await runWithBackends(['run', '--redis'])).toBe(2);
    expect(await runWithBackends(['start', '--', 'true'])).toBe(2);
    expect(await runWithBackends(['run', '--mysql', '--', 'true'])).toBe(2);
  });
});
