/** Health, readiness, metrics, unknown routes, wrong methods, keep-alive. */
import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ConnectorClient, encodeKey } from '../testing/client.js';
import { expectError, json, type Suite, uniqueKey } from './suite.js';

export function serviceTests(suite: Suite): void {
  describe('service routes', () => {
    it('GET /healthz answers 200 {"status":"ready"}', async () => {
      const res = await suite.client.request({ method: 'GET', path: '/healthz' });
      expect(res.status).toBe(200);
      expect(json(res)).toEqual({ status: 'ready' });
    });

    it('GET /readyz answers 200 when the backend is reachable', async () => {
      const res = await suite.client.request({ method: 'GET', path: '/readyz' });
      expect(res.status).toBe(200);
      expect(json(res)).toEqual({ status: 'ready' });
    });

    it('GET /metrics serves Prometheus text with request counts and latency', async () => {
      await suite.client.get(uniqueKey('metrics-probe'));
      const res = await suite.client.request({ method: 'GET', path: '/metrics' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const text = res.body.toString();
      expect(text).toMatch(/state_proxy_requests_total\{operation="read",status="404"\} \d+/);
      expect(text).toContain('state_proxy_request_duration_seconds_bucket');
      expect(text).toContain('state_proxy_backend_errors_total');
      expect(text).toContain('state_proxy_cas_conflicts_total');
    });

    it('an unknown route is 404 not_found', async () => {
      expectError(await suite.client.request({ method: 'GET', path: '/nope' }), 404, 'not_found');
      expectError(await suite.client.request({ method: 'GET', path: '/keysx/a' }), 404, 'not_found');
    });

    it('a known route with the wrong method is 405 method_not_allowed', async () => {
      expectError(await suite.client.request({ method: 'POST', path: '/keys/a' }), 405, 'method_not_allowed');
      expectError(
        await suite.client.request({ method: 'PATCH', path: '/meta/a' }),
        405,
        'method_not_allowed',
      );
      expectError(
        await suite.client.request({ method: 'DELETE', path: '/keys/' }),
        405,
        'method_not_allowed',
      );
      expectError(
        await suite.client.request({ method: 'POST', path: '/healthz' }),
        405,
        'method_not_allowed',
      );
    });

    it('serves many requests over one keep-alive connection', async () => {
      const client = new ConnectorClient(suite.socketPath, { keepAlive: true, maxSockets: 1 });
      try {
        const key = uniqueKey('keepalive');
        const sockets = new Set<unknown>();
        for (let i = 0; i < 5; i++) {
          expect((await client.put(key, `v${i}`)).status).toBe(204);
          const res = await client.get(key);
          expect(res.body.toString()).toBe(`v${i}`);
          sockets.add(res.headers.connection);
        }
        expect(sockets).toEqual(new Set(['keep-alive']));
      } finally {
        client.close();
      }
    });

    it('keeps one keep-alive connection open across every kind of request and answer', async () => {
      // A server that answers and then closes (or destroys) the connection is only seen by the
      // client's next request on it: count the connections the client had to open.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      let connections = 0;
      const connect = agent.createConnection.bind(agent);
      agent.createConnection = (...args: Parameters<Agent['createConnection']>) => {
        connections++;
        return connect(...args);
      };
      const send = (method: string, path: string, body?: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request({ socketPath: suite.socketPath, agent, method, path }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end(body);
        });
      const key = encodeKey(uniqueKey('one-connection'));
      try {
        const statuses = [
          await send('PUT', `/keys/${key}/file`, 'value'),
          await send('GET', `/keys/${key}/file`),
          await send('HEAD', `/keys/${key}/file`),
          await send('HEAD', `/keys/${key}`), // a directory
          await send('HEAD', '/keys/'),
          await send('HEAD', `/keys/${key}/missing`),
          await send('HEAD', `/keys/${key}/a/../b`), // an error answer to HEAD
          await send('GET', `/keys/?prefix=${key}/`),
          await send('GET', `/meta/${key}/file`),
          await send('GET', `/keys/${key}/missing`),
          await send('DELETE', `/keys/${key}/file`),
          await send('GET', '/healthz'),
        ];
        expect(statuses).toEqual([204, 200, 204, 204, 204, 404, 400, 200, 200, 404, 204, 200]);
        expect(connections).toBe(1);
      } finally {
        agent.destroy();
      }
    });

    it('serves concurrent requests on different keys', async () => {
      const keys = Array.from({ length: 24 }, (_, i) => uniqueKey(`concurrent-${i}`));
      const puts = await Promise.all(keys.map((key) => suite.client.put(key, key)));
      expect(puts.map((res) => res.status)).toEqual(keys.map(() => 204));
      const gets = await Promise.all(keys.map((key) => suite.client.get(key)));
      expect(gets.map((res) => res.body.toString())).toEqual(keys);
    });
  });
}
