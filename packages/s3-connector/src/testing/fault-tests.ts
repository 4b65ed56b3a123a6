/**
 * Backend outages through a TCP fault proxy in front of the real server: a stopped server is 503
 * (and /readyz 503) without killing the process, a hung one is 504 after STATE_BACKEND_TIMEOUT_MS,
 * and the connector serves again once the server is back.
 */
import { ConnectorClient } from '@state-proxy/connector-core';
import type { SpawnedConnector } from '@state-proxy/connector-core/conformance';
import { type FaultProxy, startFaultProxy } from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Server } from './backend.js';
import { s3Env, startVariant, type VariantUnderTest } from './connectors.js';

function errorOf(res: { body: Buffer }): string | undefined {
  return (JSON.parse(res.body.toString()) as { error?: string }).error;
}

export function faultTests(variant: VariantUnderTest, bucket: () => string): void {
  describe('backend faults', () => {
    let proxy: FaultProxy;
    let connector: SpawnedConnector;
    let client: ConnectorClient;

    beforeAll(async () => {
      const target = new URL(s3Server().endpoint);
      proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 80) });
      const endpoint = `${target.protocol}//${proxy.host}:${proxy.port}`;
      connector = await startVariant(variant, bucket(), {
        ...s3Env(bucket(), endpoint),
        // Small, so the hung-server case answers quickly; one retry keeps it short.
        STATE_BACKEND_TIMEOUT_MS: '700',
        STATE_BACKEND_MAX_ATTEMPTS: '2',
      });
      client = new ConnectorClient(connector.socketPath);
    });
    afterAll(async () => {
      client?.close();
      await connector?.stop();
      await proxy?.close();
    });

    it('a stopped server is 503 unavailable and /readyz 503; back again, it serves', async () => {
      expect((await client.put('fault/a', 'before')).status).toBe(204);
      await proxy.setMode('refuse');
      const get = await client.get('fault/a');
      expect([get.status, errorOf(get)]).toEqual([503, 'unavailable']);
      const put = await client.put('fault/b', 'during');
      expect([put.status, errorOf(put)]).toEqual([503, 'unavailable']);
      const ready = await client.request({ method: 'GET', path: '/readyz' });
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body.toString())).toMatchObject({ status: 'unavailable' });
      expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
      expect(connector.child.exitCode).toBeNull();

      await proxy.setMode('pass');
      expect((await client.request({ method: 'GET', path: '/readyz' })).status).toBe(200);
      expect((await client.get('fault/a')).body.toString()).toBe('before');
    });

    it('a hung server is 504 timeout after STATE_BACKEND_TIMEOUT_MS; back again, it serves', async () => {
      await proxy.setMode('blackhole');
      const get = await client.get('fault/a');
      expect([get.status, errorOf(get)]).toEqual([504, 'timeout']);
      expect((await client.request({ method: 'GET', path: '/readyz' })).status).toBe(503);
      expect(connector.child.exitCode).toBeNull();

      await proxy.setMode('pass');
      expect((await client.get('fault/a')).body.toString()).toBe('before');
    });

    it('with a hung server /readyz is 503 after CONNECTOR_READY_TIMEOUT_MS, not the backend timeout', async () => {
      const patient = await startVariant(variant, bucket(), {
        ...s3Env(bucket(), `http://${proxy.host}:${proxy.port}`),
        STATE_BACKEND_TIMEOUT_MS: '60000',
        CONNECTOR_READY_TIMEOUT_MS: '300',
      });
      const patientClient = new ConnectorClient(patient.socketPath);
      try {
        await proxy.setMode('blackhole');
        const ready = await patientClient.request({ method: 'GET', path: '/readyz' });
        expect(ready.status).toBe(503);
        expect(JSON.parse(ready.body.toString())).toMatchObject({
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
