/**
 * Credentials Redis refuses, with a redis-server this file owns (its password changes under the
 * connector): node-redis retries a refused handshake like an outage, but the connector answers
 * 403 permission_denied on every request and /readyz says access was denied; once the server
 * accepts the credentials it serves without a restart, and a server that goes down is still 503.
 */
import {
  type ClientResponse,
  ConnectorClient,
  type SpawnedConnector,
} from '@state-proxy/connector-core/testing';
import { type LocalRedis, startLocalRedis } from '@state-proxy/test-backends';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { directRedis, startRedisConnector, waitFor } from './testing/helpers.js';

const SERVER_PASSWORD = 'server-Side-pass-4121';
const CONNECTOR_PASSWORD = 'connector-Side-pass-7786';

let redis: LocalRedis;
/** What the server requires now ('' for nothing); CONFIG SET is not saved, so a restart clears it. */
let serverPassword = '';
let connector: SpawnedConnector | undefined;
let client: ConnectorClient | undefined;

const withPassword = (url: string, password: string) =>
  url.replace('redis://', `redis://default:${password}@`);

async function requirePassword(password: string): Promise<void> {
  const direct = await directRedis(
    serverPassword === '' ? redis.url : withPassword(redis.url, serverPassword),
  );
  try {
    await direct.sendCommand(['CONFIG', 'SET', 'requirepass', password]);
  } finally {
    direct.destroy();
  }
  serverPassword = password;
}

async function start(url: string): Promise<ConnectorClient> {
  // Short reconnect pauses: the tests wait for the connector to notice a server-side change.
  connector = await startRedisConnector(url, { REDIS_RECONNECT_MAX_DELAY_MS: '200' });
  client = new ConnectorClient(connector.socketPath);
  return client;
}

function errorOf(res: ClientResponse): { error?: string; message?: string } {
  return res.body.length > 0 ? (JSON.parse(res.body.toString()) as { error?: string; message?: string }) : {};
}

async function readyz(
  c: ConnectorClient,
): Promise<{ status: number; body: { status?: string; reason?: string } }> {
  const res = await c.request({ method: 'GET', path: '/readyz' });
  return { status: res.status, body: JSON.parse(res.body.toString()) };
}

/** Every kind of request, each answering 403 permission_denied with a message naming `reply`. */
async function expectDeniedEverywhere(c: ConnectorClient, reply: string): Promise<void> {
  const responses = {
    put: await c.put('auth/key', 'value'),
    get: await c.get('auth/key'),
    head: await c.head('auth/key'),
    delete: await c.delete('auth/key'),
    list: await c.request({ method: 'GET', path: '/keys/?prefix=auth/' }),
    getMeta: await c.getMeta('auth/key', 'ttl'),
    setMeta: await c.setMeta('auth/key', 'ttl', '60'),
  };
  for (const [operation, res] of Object.entries(responses)) {
    expect([operation, res.status]).toEqual([operation, 403]);
    if (operation === 'head') continue; // no body
    const { error, message } = errorOf(res);
    expect([operation, error]).toEqual([operation, 'permission_denied']);
    expect(message).toMatch(new RegExp(`^Redis denied access.*${reply}`));
    expect(message).not.toContain(CONNECTOR_PASSWORD);
  }
}

beforeAll(async () => {
  redis = await startLocalRedis();
});
afterEach(async () => {
  client?.close();
  await connector?.stop();
  client = undefined;
  connector = undefined;
  await redis.start(); // no-op unless a test stopped it
  if (serverPassword !== '') await requirePassword('');
});
afterAll(async () => {
  await redis?.stop();
});

it('a wrong password is 403 permission_denied on every request and /readyz says so; fixed, it serves', async () => {
  await requirePassword(SERVER_PASSWORD);
  const c = await start(withPassword(redis.url, CONNECTOR_PASSWORD));

  await expectDeniedEverywhere(c, 'WRONGPASS');
  const ready = await readyz(c);
  expect(ready.status).toBe(503);
  expect(ready.body.status).toBe('unavailable');
  expect(ready.body.reason).toMatch(/^Redis denied access.*WRONGPASS/);
  expect((await c.request({ method: 'GET', path: '/healthz' })).status).toBe(200);

  // The server now takes the connector's password: it reconnects by itself.
  await requirePassword(CONNECTOR_PASSWORD);
  await waitFor('/readyz 200', async () => ((await readyz(c)).status === 200 ? true : undefined));
  expect((await c.put('auth/key', 'value')).status).toBe(204);
  expect((await c.get('auth/key')).body.toString()).toBe('value');

  const output = connector!.output();
  expect(output).toContain('Redis denied access: check the credentials in REDIS_URL');
  expect(output).toContain('Redis connected');
  expect(output).not.toContain(CONNECTOR_PASSWORD);
});

it('no password where the server requires one (NOAUTH) is 403 too; requirement lifted, it serves', async () => {
  await requirePassword(SERVER_PASSWORD);
  const c = await start(redis.url);

  await expectDeniedEverywhere(c, 'NOAUTH');
  const ready = await readyz(c);
  expect(ready.status).toBe(503);
  expect(ready.body.reason).toMatch(/^Redis denied access.*NOAUTH/);

  await requirePassword('');
  await waitFor('/readyz 200', async () => ((await readyz(c)).status === 200 ? true : undefined));
  expect((await c.put('auth/key', 'value')).status).toBe(204);
});

it('refused, then the server goes down: 503 unavailable like any outage; back, it serves', async () => {
  await requirePassword(SERVER_PASSWORD);
  const c = await start(withPassword(redis.url, CONNECTOR_PASSWORD));
  expect((await c.get('auth/key')).status).toBe(403);

  await redis.stop();
  serverPassword = ''; // not saved across the restart below
  // The connector learns of the outage at its next reconnection attempt.
  const during = await waitFor('a 503 once Redis is down', async () => {
    const res = await c.get('auth/key');
    return res.status === 403 ? undefined : res;
  });
  expect([during.status, errorOf(during).error]).toEqual([503, 'unavailable']);
  expect(errorOf(during).message).toMatch(/^Redis is not connected/);
  const ready = await readyz(c);
  expect(ready.status).toBe(503);
  expect(ready.body.reason).not.toMatch(/denied/);

  // Restarted without a password, the server takes any: the connector serves again.
  await redis.start();
  await waitFor('/readyz 200', async () => ((await readyz(c)).status === 200 ? true : undefined));
  expect((await c.put('auth/key', 'value')).status).toBe(204);
});
