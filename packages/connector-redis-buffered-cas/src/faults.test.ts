/**
 * What is Redis's own about outages and shutdown (the conformance suite's fault group covers a
 * stopped and a hung backend): a connector started while Redis is down, a server that never
 * answers the handshake, SIGTERM while a large chunked write is still arriving. With a
 * redis-server this file owns, so that it can stop it and start it again on the same port.
 */

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { ConnectorClient } from '@state-proxy/connector-core/testing';
import { type LocalRedis, startLocalRedis } from '@state-proxy/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directRedis, startRedisConnector, uniquePrefix, waitFor } from './testing/helpers.js';

const MiB = 1024 * 1024;

let redis: LocalRedis;
beforeAll(async () => {
  redis = await startLocalRedis();
});
afterAll(async () => {
  await redis?.stop();
});

function errorCode(res: { body: Buffer }): string {
  return (JSON.parse(res.body.toString()) as { error: string }).error;
}

describe('Redis outage', () => {
  it('a connector started while Redis is down serves 503 at once and recovers', async () => {
    await redis.stop();
    const late = await startRedisConnector(redis.url);
    const lateClient = new ConnectorClient(late.socketPath);
    try {
      const res = await lateClient.get('late/key');
      expect(res.status).toBe(503);
      expect(errorCode(res)).toBe('unavailable');
      await redis.start();
      await waitFor('the late connector to reach Redis', async () =>
        (await lateClient.put('late/key', 'x')).status === 204 ? true : undefined,
      );
    } finally {
      lateClient.close();
      await late.stop();
      await redis.start();
    }
    // It never had a connection to lose: one "not reachable yet", then "connected".
    const states = ['Redis not reachable yet', 'Redis connection lost', 'Redis connected'];
    const messages = late
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg: string }).msg)
      .filter((msg) => states.includes(msg));
    expect(messages).toEqual(['Redis not reachable yet', 'Redis connected']);
  });
});

describe('a server that accepts connections but never answers the handshake', () => {
  it('fails requests at once (503) and keeps opening new connections instead of waiting forever', async () => {
    const sockets = new Set<Socket>();
    let connections = 0;
    const silent = createServer((socket) => {
      connections += 1;
      sockets.add(socket);
      socket.resume(); // read and ignore: never a reply
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const connector = await startRedisConnector(`redis://127.0.0.1:${port}`, {
      STATE_BACKEND_TIMEOUT_MS: '300',
    });
    const client = new ConnectorClient(connector.socketPath);
    try {
      const res = await client.get('silent/key');
      expect([503, 504]).toContain(res.status);
      await waitFor('the connector to give up on stuck handshakes and reconnect', async () =>
        connections >= 3 ? true : undefined,
      );
      expect(connector.child.exitCode).toBeNull();
    } finally {
      client.close();
      await connector.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('SIGTERM', () => {
  it('lets an in-flight chunked write finish (204) and exits 0', async () => {
    const prefix = uniquePrefix('sigterm');
    const connector = await startRedisConnector(redis.url, { STATE_PREFIX: prefix });
    const client = new ConnectorClient(connector.socketPath);

    // A body produced on demand: it stops after 8 MiB until the connector has logged that it is
    // shutting down, then delivers the rest. Pulled bytes beyond the socket buffers prove the
    // connector is already reading this request.
    const total = 32 * MiB;
    const chunk = randomBytes(256 * 1024);
    const expected = createHash('sha1');
    let sent = 0;
    let releaseRest: (() => void) | undefined;
    let reachedHalfway: () => void = () => {};
    const halfway = new Promise<void>((resolve) => {
      reachedHalfway = resolve;
    });
    let held = true;
    const body = new Readable({
      read() {
        if (sent >= total) {
          this.push(null);
        } else if (sent >= 8 * MiB && held) {
          releaseRest = () => {
            held = false;
            this.emit('release');
          };
          reachedHalfway();
          this.once('release', () => this._read(0));
        } else {
          sent += chunk.length;
          expected.update(chunk);
          this.push(chunk);
        }
      },
    });

    const put = client.put('big/in-flight', body); // no Content-Length: sent chunked
    await halfway;
    connector.child.kill('SIGTERM');
    await waitFor('the connector to start shutting down', async () =>
      connector.output().includes('"msg":"shutting down"') ? true : undefined,
    );
    releaseRest!();

    const res = await put;
    expect(res.status).toBe(204);
    expect(res.headers.etag).toBe(`"${expected.copy().digest('hex')}"`);
    expect(await connector.exited).toBe(0);
    client.close();
    await connector.stop();

    const direct = await directRedis(redis.url);
    try {
      const stored = (await direct.get(`${prefix}:big/in-flight`)) as Buffer;
      expect(stored.length).toBe(total);
      expect(createHash('sha1').update(stored).digest('hex')).toBe(expected.digest('hex'));
    } finally {
      direct.destroy();
    }
  });
});
