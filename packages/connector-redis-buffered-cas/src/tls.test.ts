/**
 * TLS: rediss:// with our CA (REDIS_TLS_CA_FILE), mutual TLS with a client certificate
 * (REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE), the Sentinel set and the Cluster over mutual TLS; and
 * the certificate refused (unknown CA, a host name it was not made for) or missing: one clear log
 * line, 503 at once on requests, /readyz 503, the process serving on.
 */
import { createServer, type Server, connect as tcpConnect } from 'node:net';
import {
  type ClientResponse,
  ConnectorClient,
  type SpawnedConnector,
} from '@state-proxy/connector-core/testing';
import {
  type LocalRedisCluster,
  type LocalRedisSentinel,
  type LocalRedisTls,
  startLocalRedisCluster,
  startLocalRedisSentinel,
  startLocalRedisTls,
  type TlsFiles,
} from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisConnector } from './testing/helpers.js';

const trusting = (tls: TlsFiles) => ({ REDIS_TLS_CA_FILE: tls.caCert });
const presenting = (tls: TlsFiles) => ({
  ...trusting(tls),
  REDIS_TLS_CERT_FILE: tls.clientCert,
  REDIS_TLS_KEY_FILE: tls.clientKey,
});
const errorOf = (res: ClientResponse) =>
  JSON.parse(res.body.toString()) as { error: string; message: string };

/** PUT, GET, a conditional PUT and a listing: the connector serves. */
async function expectServing(connector: SpawnedConnector): Promise<void> {
  const client = new ConnectorClient(connector.socketPath);
  try {
    const put = await client.put('tls/key', 'secret');
    expect({ status: put.status, body: put.body.toString() }).toEqual({ status: 204, body: '' });
    expect((await client.get('tls/key')).body.toString()).toBe('secret');
    expect((await client.put('tls/key', 'next', { ifMatch: put.headers.etag! })).status).toBe(204);
    const list = await client.request({ method: 'GET', path: '/keys/?prefix=tls/' });
    expect(JSON.parse(list.body.toString()).keys).toEqual(['tls/key']);
    expect((await client.request({ method: 'GET', path: '/readyz' })).status).toBe(200);
  } finally {
    client.close();
  }
}

/**
 * Requests answer 503 at once (no waiting for a connection that cannot be made), with `reason`;
 * /readyz too; the log says `logged` once; the process is alive.
 */
async function expectRefusedClearly(connector: SpawnedConnector, reason: RegExp, logged: string) {
  const client = new ConnectorClient(connector.socketPath);
  try {
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await client.get('tls/key');
      expect({ status: res.status, ...errorOf(res) }).toEqual({
        status: 503,
        error: 'unavailable',
        message: expect.stringMatching(reason),
      });
      expect(Date.now() - started).toBeLessThan(1000);
    }
    const ready = await client.request({ method: 'GET', path: '/readyz' });
    expect(ready.status).toBe(503);
    expect(connector.child.exitCode).toBeNull();
    const lines = connector
      .output()
      .split('\n')
      .filter((line) => line.includes(`"msg":"${logged}`));
    expect(lines).toHaveLength(1);
  } finally {
    client.close();
  }
}

/** A TCP relay on 127.0.0.2 to `port` on 127.0.0.1: the server's certificate names neither 127.0.0.2 nor any name for it. */
async function relayFromOtherAddress(port: number): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => {
    const upstream = tcpConnect(port, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('one server over TLS', () => {
  let server: LocalRedisTls;
  let mutual: LocalRedisTls;
  beforeAll(async () => {
    [server, mutual] = await Promise.all([startLocalRedisTls('server'), startLocalRedisTls('mutual')]);
  });
  afterAll(async () => {
    await Promise.all([server?.stop(), mutual?.stop()]);
  });

  it('serves over rediss:// trusting REDIS_TLS_CA_FILE', async () => {
    const connector = await startRedisConnector(server.url, trusting(server.tls));
    try {
      await expectServing(connector);
    } finally {
      await connector.stop();
    }
  });

  it('serves a server that requires a client certificate with REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE', async () => {
    const connector = await startRedisConnector(mutual.url, presenting(mutual.tls));
    try {
      await expectServing(connector);
    } finally {
      await connector.stop();
    }
  });

  it('a certificate of a CA it does not trust: one clear log line, 503 at once, no crash', async () => {
    const envs: Record<string, string>[] = [{}, { REDIS_TLS_CA_FILE: server.tls.wrongCaCert }];
    for (const env of envs) {
      const connector = await startRedisConnector(server.url, env);
      try {
        await expectRefusedClearly(
          connector,
          /TLS certificate is not trusted.*REDIS_TLS_CA_FILE/,
          'Redis TLS certificate not trusted',
        );
      } finally {
        await connector.stop();
      }
    }
  });

  it('a certificate made for another host name: one clear log line, 503 at once, no crash', async () => {
    const relay = await relayFromOtherAddress(server.port);
    const connector = await startRedisConnector(`rediss://127.0.0.2:${relay.port}`, trusting(server.tls));
    try {
      await expectRefusedClearly(
        connector,
        /TLS certificate is not trusted.*(altnames|IP: 127\.0\.0\.2)/,
        'Redis TLS certificate not trusted',
      );
    } finally {
      await connector.stop();
      relay.server.close();
    }
  });

  it('no client certificate where the server requires one: one clear log line, 503 at once, no crash', async () => {
    const connector = await startRedisConnector(mutual.url, trusting(mutual.tls));
    try {
      await expectRefusedClearly(
        connector,
        /refused our TLS client certificate \(ERR_SSL_\w+\): check REDIS_TLS_CERT_FILE/,
        'Redis refused our TLS client certificate',
      );
    } finally {
      await connector.stop();
    }
  });
});

describe('a Sentinel set and a Cluster over mutual TLS', () => {
  let sentinel: LocalRedisSentinel;
  let cluster: LocalRedisCluster;
  beforeAll(async () => {
    sentinel = await startLocalRedisSentinel({ tls: 'mutual' });
    cluster = await startLocalRedisCluster({ tls: 'mutual' });
  });
  afterAll(async () => {
    await Promise.all([sentinel?.stop(), cluster?.stop()]);
  });

  // Each topology by name, once the beforeAll above has started it.
  const topologies = [
    {
      name: 'a Sentinel set',
      scheme: 'rediss-sentinel',
      pattern: /^rediss-sentinel:\/\//,
      started: () => sentinel,
    },
    { name: 'a Cluster', scheme: 'rediss-cluster', pattern: /^rediss-cluster:\/\//, started: () => cluster },
  ];

  it.each(topologies)('serves through $scheme://', async ({ pattern, started }) => {
    const { url, tls } = started();
    expect(url).toMatch(pattern);
    const connector = await startRedisConnector(url, presenting(tls!));
    try {
      await expectServing(connector);
    } finally {
      await connector.stop();
    }
  });

  it.each(topologies)(
    '$name whose CA it does not trust: one clear log line, 503 at once, no crash',
    async ({ started }) => {
      const { url, tls } = started();
      const connector = await startRedisConnector(url, {
        ...presenting(tls!),
        REDIS_TLS_CA_FILE: tls!.wrongCaCert,
      });
      try {
        await expectRefusedClearly(
          connector,
          /TLS certificate is not trusted/,
          'Redis TLS certificate not trusted',
        );
      } finally {
        await connector.stop();
      }
    },
  );
});
