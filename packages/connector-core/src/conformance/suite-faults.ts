/**
 * Backend outages (docs/errors.md#backend-failures), through a TCP fault proxy in front of the real
 * backend: a stopped backend is 503 (and /readyz 503) without killing the process, a hung one is
 * 504 after STATE_BACKEND_TIMEOUT_MS, /readyz keeps its own deadline, and the connector serves
 * again once the backend is back, without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientResponse, ConnectorClient } from '../testing/client.js';
import { type FaultProxy, startFaultProxy } from '../testing/fault-proxy.js';
import type { StartedConnector } from '../testing/spawn.js';
import { uniqueKey } from '../testing/unique-key.js';
import { expectError, json } from './suite.js';

/** How the suite puts a fault proxy between a connector and its backend. */
export interface FaultHooks {
  /** Where the backend listens (TCP). */
  backend: { host: string; port: number };
  /**
   * Starts the connector in a fresh namespace with its backend reached at `endpoint` (the
   * proxy), `env` on top: STATE_BACKEND_TIMEOUT_MS and CONNECTOR_READY_TIMEOUT_MS.
   */
  start(endpoint: { host: string; port: number }, env: Record<string, string>): Promise<StartedConnector>;
}

/**
 * Polls `answer` until it gives `status`, for at most 10 s: a connector may need a moment to
 * reconnect once its backend is back (a Redis client backs off between attempts).
 */
async function eventually(status: number, answer: () => Promise<ClientResponse>): Promise<ClientResponse> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await answer();
    if (res.status === status || Date.now() > deadline) return res;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function faultTests(hooks: FaultHooks): void {
  describe('backend faults', () => {
    let proxy: FaultProxy;
    let connector: StartedConnector;
    let client: ConnectorClient;
    const key = uniqueKey('fault');

    beforeAll(async () => {
      proxy = await startFaultProxy(hooks.backend);
      // Small, so the hung-backend case answers quickly.
      connector = await hooks.start(proxy, { STATE_BACKEND_TIMEOUT_MS: '700' });
      client = new ConnectorClient(connector.socketPath);
    });
    afterAll(async () => {
      client?.close();
      await connector?.stop();
      await proxy?.close();
    });

    it('a stopped backend is 503 unavailable and /readyz 503; back again, it serves', async () => {
      expect((await client.put(key, 'before')).status).toBe(204);
      await proxy.setMode('refuse');
      expectError(await client.get(key), 503, 'unavailable');
      expectError(await client.put(uniqueKey('fault-during'), 'during'), 503, 'unavailable');
      const ready = await client.request({ method: 'GET', path: '/readyz' });
      expect(ready.status).toBe(503);
      expect(json(ready)).toMatchObject({ status: 'unavailable' });
      expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);

      await proxy.setMode('pass');
      expect((await eventually(200, () => client.request({ method: 'GET', path: '/readyz' }))).status).toBe(
        200,
      );
      expect((await eventually(200, () => client.get(key))).body.toString()).toBe('before');
    });

    it('a hung backend is 504 timeout after STATE_BACKEND_TIMEOUT_MS; back again, it serves', async () => {
      await proxy.setMode('blackhole');
      expectError(await client.get(key), 504, 'timeout');
      expect((await client.request({ method: 'GET', path: '/readyz' })).status).toBe(503);
      expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);

      await proxy.setMode('pass');
      expect((await eventually(200, () => client.get(key))).body.toString()).toBe('before');
    });

    it('with a hung backend /readyz is 503 after CONNECTOR_READY_TIMEOUT_MS, not the backend timeout', async () => {
      const patient = await hooks.start(proxy, {
        STATE_BACKEND_TIMEOUT_MS: '60000',
        CONNECTOR_READY_TIMEOUT_MS: '300',
      });
      const patientClient = new ConnectorClient(patient.socketPath);
      try {
        await proxy.setMode('blackhole');
        const ready = await patientClient.request({ method: 'GET', path: '/readyz' });
        expect(ready.status).toBe(503);
        expect(json(ready)).toMatchObject({
          status: 'unavailable',
          reason: expect.stringContaining('within 300 ms'),
        });
      } finally {
        await proxy.setMode('pass');
        patientClient.close();
        await patient.stop();
      }
    });
  });
}
