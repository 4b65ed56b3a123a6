/**
 * Checks every topology shares (cluster*.test.ts, sentinel*.test.ts): a connector that starts
 * before Redis answers, one whose credentials Redis refuses, and one whose master stops answering
 * behave as with one server (faults.test.ts, auth.test.ts): 503 / 403 / 504 at once, /readyz saying
 * why, one log line, then serving without a restart.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';
import { ConnectorClient } from '@state-proxy/connector-core/testing';
import type { RedisAddress } from '@state-proxy/test-backends';
import { expect } from 'vitest';
import { startRedisConnector, waitFor } from './helpers.js';

/** One command to one node, on a connection of its own. */
export async function onNode(address: RedisAddress, command: string[]): Promise<unknown> {
  const client = createClient({ socket: address });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.sendCommand(command);
  } finally {
    client.destroy();
  }
}

function logMessages(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { msg: string }).msg);
}

const body = (res: { body: Buffer }) => JSON.parse(res.body.toString()) as Record<string, string>;

/**
 * `url` reaches Redis only once `open()` resolves (a proxy that refused until then): requests
 * answer 503 at once meanwhile, then succeed without a restart.
 */
export async function expectServingOnceReachable(url: string, open: () => Promise<void>): Promise<void> {
  const connector = await startRedisConnector(url, { REDIS_RECONNECT_MAX_DELAY_MS: '200' });
  const client = new ConnectorClient(connector.socketPath);
  try {
    const res = await client.get('late/key');
    expect([res.status, body(res).error]).toEqual([503, 'unavailable']);
    expect(body(res).message).toMatch(/^Redis is not connected: .*ECONNREFUSED/);
    expect((await client.request({ method: 'GET', path: '/readyz' })).status).toBe(503);
    await open();
    await waitFor('a PUT to succeed once Redis answers', async () =>
      (await client.put('late/key', 'x')).status === 204 ? true : undefined,
    );
    expect((await client.request({ method: 'GET', path: '/readyz' })).status).toBe(200);
  } finally {
    client.close();
    await connector.stop();
  }
  const states = ['Redis not reachable yet', 'Redis connection lost', 'Redis connected'];
  expect(logMessages(connector.output()).filter((msg) => states.includes(msg))).toEqual([
    'Redis not reachable yet',
    'Redis connected',
  ]);
}

/**
 * Credentials of an ACL user the `nodes` know with another password: 403 permission_denied on
 * every request and /readyz 503 saying so, logged once; once the nodes take the password, it
 * serves. `urlFor(user, password)` makes the connector's REDIS_URL.
 */
export async function expectDeniedThenServing(
  nodes: RedisAddress[],
  urlFor: (user: string, password: string) => string,
  env: Record<string, string> = {},
): Promise<void> {
  const user = `app-${randomBytes(3).toString('hex')}`;
  const [right, wrong] = ['right-Pass-1', 'wrong-Pass-2'];
  const acl = (rules: string[]) =>
    Promise.all(nodes.map((node) => onNode(node, ['ACL', 'SETUSER', user, ...rules])));
  await acl(['on', `>${right}`, '~*', '&*', '+@all']);
  const connector = await startRedisConnector(urlFor(user, wrong), {
    REDIS_RECONNECT_MAX_DELAY_MS: '200',
    ...env,
  });
  const client = new ConnectorClient(connector.socketPath);
  try {
    for (const res of [await client.get('auth/key'), await client.put('auth/key', 'v')]) {
      expect([res.status, body(res).error]).toEqual([403, 'permission_denied']);
      expect(body(res).message).toMatch(/^Redis denied access when connecting: WRONGPASS/);
    }
    const ready = await client.request({ method: 'GET', path: '/readyz' });
    expect([ready.status, body(ready).reason]).toEqual([503, expect.stringMatching(/^Redis denied access/)]);

    await acl([`>${wrong}`]); // the nodes now take the connector's password too
    await waitFor('a PUT to succeed once the password is accepted', async () =>
      (await client.put('auth/key', 'v')).status === 204 ? true : undefined,
    );
  } finally {
    client.close();
    await connector.stop();
    await Promise.all(nodes.map((node) => onNode(node, ['ACL', 'DELUSER', user])));
  }
  const messages = logMessages(connector.output());
  expect(
    messages.filter((msg) => msg === 'Redis denied access: check the credentials in REDIS_URL'),
  ).toHaveLength(1);
  expect(messages).toContain('Redis connected');
  expect(connector.output()).not.toContain(wrong);
}

/**
 * `pause()` makes the master of `hung/key` (under `prefix`) stop answering for a while (CLIENT PAUSE): a request answers 504 within
 * the connector's deadline instead of hanging, and once the master answers again the connector
 * serves by itself (its link replaced by a fresh one after the missed deadline).
 */
export async function expectDeadlineThenServing(
  url: string,
  prefix: string,
  pause: () => Promise<unknown>,
): Promise<void> {
  const connector = await startRedisConnector(url, {
    STATE_PREFIX: prefix,
    STATE_BACKEND_TIMEOUT_MS: '200',
    REDIS_RECONNECT_MAX_DELAY_MS: '200',
  });
  const client = new ConnectorClient(connector.socketPath);
  try {
    expect((await client.put('hung/key', 'before')).status).toBe(204);
    await pause();
    const started = Date.now();
    const hung = await client.get('hung/key');
    expect([hung.status, body(hung).error]).toEqual([504, 'timeout']);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(connector.child.exitCode).toBeNull();
    await waitFor('a PUT to succeed once the master answers again', async () =>
      (await client.put('hung/key', 'after')).status === 204 ? true : undefined,
    );
    expect((await client.get('hung/key')).body.toString()).toBe('after');
  } finally {
    client.close();
    await connector.stop();
  }
}
