import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConnect } from './ports.js';
import { redisAnswersPing } from './redis-server.js';
import { type LocalRedisTls, startLocalRedisTls } from './redis-tls.js';

interface ClientFiles {
  ca: string;
  cert?: string;
  key?: string;
}

/** SET then GET over TLS with these files; rejects when the handshake or a command fails. */
async function roundTrip(server: LocalRedisTls, files: ClientFiles): Promise<string | null> {
  const client = createClient({
    url: server.url,
    socket: {
      tls: true,
      ca: readFileSync(files.ca),
      ...(files.cert ? { cert: readFileSync(files.cert) } : {}),
      ...(files.key ? { key: readFileSync(files.key) } : {}),
      connectTimeout: 5000,
      reconnectStrategy: false,
    },
  });
  client.on('error', () => {}); // connect() and the commands reject with it
  try {
    await client.connect();
    await client.set('tls-key', 'over tls');
    return await client.get('tls-key');
  } finally {
    client.destroy();
  }
}

describe('startLocalRedisTls (server authentication only)', () => {
  let server: LocalRedisTls;
  beforeAll(async () => {
    server = await startLocalRedisTls();
  });
  afterAll(() => server.stop());

  it('serves rediss:// on 127.0.0.1 and nothing in plain text', async () => {
    expect(server.url).toBe(`rediss://127.0.0.1:${server.port}`);
    expect(await roundTrip(server, { ca: server.tls.caCert })).toBe('over tls');
    expect(await redisAnswersPing('127.0.0.1', server.port)).toBe(false);
  });

  it('is refused by a client that trusts only the wrong CA', async () => {
    await expect(roundTrip(server, { ca: server.tls.wrongCaCert })).rejects.toThrow(
      /self-signed certificate|unable to verify|unable to get local issuer/i,
    );
  });

  it('has a server certificate for IP 127.0.0.1 and DNS localhost, signed by the CA only', () => {
    const cert = new X509Certificate(readFileSync(server.tls.serverCert));
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(cert.checkIssued(new X509Certificate(readFileSync(server.tls.caCert)))).toBe(true);
    expect(cert.checkIssued(new X509Certificate(readFileSync(server.tls.wrongCaCert)))).toBe(false);
  });
});

describe('startLocalRedisTls (mutual TLS)', () => {
  let server: LocalRedisTls;
  beforeAll(async () => {
    server = await startLocalRedisTls('mutual');
  });
  afterAll(() => server.stop());

  it('serves a client that presents the client certificate', async () => {
    const { caCert, clientCert, clientKey } = server.tls;
    expect(await roundTrip(server, { ca: caCert, cert: clientCert, key: clientKey })).toBe('over tls');
  });

  it('refuses a client without a certificate', async () => {
    await expect(roundTrip(server, { ca: server.tls.caCert })).rejects.toThrow(/certificate required/);
  });

  it('refuses a certificate of another CA', async () => {
    // The wrong CA's own certificate and key: a certificate the server did not sign.
    const wrongKey = server.tls.wrongCaCert.replace(/\.crt$/, '.key');
    await expect(
      roundTrip(server, { ca: server.tls.caCert, cert: server.tls.wrongCaCert, key: wrongKey }),
    ).rejects.toThrow(/unknown ca/);
  });
});

describe('startLocalRedisTls stop()', () => {
  it('kills the server and removes its certificates', async () => {
    const server = await startLocalRedisTls();
    expect(await canConnect('127.0.0.1', server.port)).toBe(true);
    await server.stop();
    expect(await canConnect('127.0.0.1', server.port)).toBe(false);
    expect(existsSync(server.tls.caCert)).toBe(false);
  });
});
