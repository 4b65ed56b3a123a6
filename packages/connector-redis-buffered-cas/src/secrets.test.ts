/** The password in REDIS_URL never reaches stdout or stderr: start-up, requests, outages, shutdown. */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectorClient, spawnConnector } from '@state-proxy/connector-core/testing';
import { type LocalRedis, startLocalRedis } from '@state-proxy/test-backends';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ENTRY, runToExit, START_TIMEOUT_MS, uniquePrefix } from './testing/helpers.js';

const SECRET = 'Sup3rS3cretPassw0rd';

let redis: LocalRedis;
beforeAll(async () => {
  redis = await startLocalRedis();
});
afterAll(async () => {
  await redis?.stop();
});

it('never prints the password, whatever happens', async () => {
  // The test server's default user has no password, so Redis accepts any: AUTH still carries it.
  const url = redis.url.replace('redis://', `redis://default:${SECRET}@`);
  const connector = await spawnConnector({
    entry: ENTRY,
    env: { REDIS_URL: url, STATE_PREFIX: uniquePrefix('secret'), LOG_LEVEL: 'debug' },
    startTimeoutMs: START_TIMEOUT_MS,
  });
  const client = new ConnectorClient(connector.socketPath);
  try {
    expect((await client.put('k', 'v')).status).toBe(204);
    expect((await client.get('k')).status).toBe(200);
    await redis.stop(); // outage: connection errors get logged
    expect([503, 504]).toContain((await client.get('k')).status);
    expect((await client.request({ method: 'GET', path: '/readyz' })).status).toBe(503);
    await redis.start();
  } finally {
    client.close();
    await connector.stop();
  }
  expect(await connector.exited).toBe(0);
  const output = connector.output();
  expect(output).toContain('"msg":"connector listening"');
  expect(output).toContain('default:***@');
  expect(output).toContain('Redis connection lost');
  expect(output).not.toContain(SECRET);
});

it('refuses a token a URL parser would take for the host, before resolving it: one masked line, exit 1', async () => {
  // WHATWG URL reads the host of this one as `S3CRETtok`: node-redis would look it up in DNS,
  // and the logs, error bodies and /readyz would name it.
  const port = new URL(redis.url).port;
  const dir = await mkdtemp(join(tmpdir(), 'redis-secrets-'));
  try {
    const result = await runToExit({
      CONNECTOR_SOCKET: join(dir, 'connector.sock'),
      REDIS_URL: `redis://S3CRETtok#en@127.0.0.1:${port}`,
      LOG_LEVEL: 'debug',
    });
    expect(result.stderr).toBe(
      `REDIS_URL has credentials a URL parser would misread (percent-encode a '/', '?', '#', '@' or '%' in the user name or password, e.g. '/' as %2F): 'redis://***@127.0.0.1:${port}'\n`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toContain('S3CRET');
    expect(result.stdout + result.stderr).not.toContain('tok#en');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
