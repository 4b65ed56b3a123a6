import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import type { Connector } from './connector.js';
import { TimeoutError, UnavailableError } from './errors.js';
import { MemoryBudget } from './memory-budget.js';
import { type ServingConnector, serveConnector } from './run.js';
import { ConnectorClient } from './testing/client.js';
import { startInProcess } from './testing/in-process.js';

/** A connector whose every method fails unless a test replaces it. */
function scriptedConnector(overrides: Partial<Connector>): Connector {
  const fail = async () => {
    throw new Error('not scripted');
  };
  return {
    read: fail,
    stat: fail,
    write: fail,
    delete: fail,
    list: fail,
    listAttributes: fail,
    getAttribute: fail,
    setAttribute: fail,
    checkReady: async () => {},
    close: async () => {},
    ...overrides,
  };
}

describe('serveConnector', () => {
  let dir: string;
  let serving: ServingConnector | undefined;
  let client: ConnectorClient;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'serve-test-'));
  });
  afterEach(async () => {
    client?.close();
    await serving?.close(1000);
    serving = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function serve(connector: Connector, memory?: MemoryBudget, maxRequests?: number) {
    serving = await serveConnector(connector, {
      socketPath: join(dir, 's.sock'),
      processMetrics: false,
      memory,
      maxRequests,
    });
    client = new ConnectorClient(serving.socketPath);
    return serving;
  }

  it('reports the memory budget on /metrics: its size, what requests hold, who waits', async () => {
    const memory = new MemoryBudget(4096, 1000);
    await serve(scriptedConnector({}), memory);
    const share = memory.tryReserve(1000)!;
    const metrics = (await client.request({ method: 'GET', path: '/metrics' })).body.toString();
    share.release();
    expect(metrics).toContain('state_proxy_body_memory_budget_bytes 4096');
    expect(metrics).toContain('state_proxy_body_memory_held_bytes 1000');
    expect(metrics).toContain('state_proxy_body_memory_waiting_requests 0');
  });

  it('answers /meta for a connector without extended attributes: 404 for a missing key, else none', async () => {
    const { listAttributes, getAttribute, setAttribute, ...withoutAttributes } = scriptedConnector({
      stat: async (key) => (key === 'here' ? { length: 1, etag: 'e' } : undefined),
    });
    await serve(withoutAttributes);
    expect((await client.getMeta('gone')).status).toBe(404);
    expect((await client.getMeta('gone', 'ttl')).status).toBe(404);
    expect((await client.setMeta('gone', 'ttl', '5')).status).toBe(404);
    const list = await client.getMeta('here');
    expect([list.status, JSON.parse(list.body.toString())]).toEqual([200, { attrs: [] }]);
    const get = await client.getMeta('here', 'ttl');
    expect([get.status, JSON.parse(get.body.toString()).error]).toEqual([400, 'unsupported_attribute']);
    const set = await client.setMeta('here', 'ttl', '5');
    expect([set.status, JSON.parse(set.body.toString()).error]).toEqual([400, 'unsupported_attribute']);
  });

  it('makes the socket connectable by other users (0666)', async () => {
    await serve(scriptedConnector({}));
    expect((await stat(join(dir, 's.sock'))).mode & 0o777).toBe(0o666);
  });

  it('refuses a socket path where a running connector serves, and leaves that one serving', async () => {
    await serve(scriptedConnector({}));
    const second = serveConnector(scriptedConnector({}), {
      socketPath: serving!.socketPath,
      processMetrics: false,
    });
    await expect(second).rejects.toThrow(
      new ConfigError(
        `CONNECTOR_SOCKET ${serving!.socketPath} is in use by a running process; refusing to replace it`,
      ),
    );
    expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
  });

  it('refuses a socket path blocked by a file that is not a socket, and leaves the file', async () => {
    const socketPath = join(dir, 's.sock');
    await writeFile(socketPath, 'data');
    await expect(
      serveConnector(scriptedConnector({}), { socketPath, processMetrics: false }),
    ).rejects.toThrow(new ConfigError(`CONNECTOR_SOCKET ${socketPath} exists and is not a socket`));
    expect((await stat(socketPath)).isFile()).toBe(true);
  });

  it('answers a bug with 500 internal_error, without details, and keeps serving', async () => {
    await serve(scriptedConnector({ read: async () => Promise.reject(new TypeError('secret detail')) }));
    const res = await client.get('k');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body.toString())).toEqual({ error: 'internal_error', message: 'internal error' });
    expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
  });

  it('answers backend outages with 503 and 504 and counts them', async () => {
    await serve(
      scriptedConnector({
        read: async () => Promise.reject(new UnavailableError('redis is down')),
        stat: async () => Promise.reject(new TimeoutError('redis did not answer')),
      }),
    );
    const unavailable = await client.get('k');
    expect(JSON.parse(unavailable.body.toString())).toEqual({
      error: 'unavailable',
      message: 'redis is down',
    });
    expect(unavailable.headers['retry-after']).toBe('1');
    const timedOut = await client.head('k');
    expect(timedOut.status).toBe(504);
    expect(timedOut.headers['retry-after']).toBeUndefined();
    const metrics = (await client.request({ method: 'GET', path: '/metrics' })).body.toString();
    expect(metrics).toContain('state_proxy_backend_errors_total{operation="read",code="unavailable"} 1');
    expect(metrics).toContain('state_proxy_backend_errors_total{operation="stat",code="timeout"} 1');
  });

  it('/readyz is 503 with the reason when the backend check fails', async () => {
    await serve(
      scriptedConnector({
        checkReady: async () => Promise.reject(new UnavailableError('connection refused')),
      }),
    );
    const res = await client.request({ method: 'GET', path: '/readyz' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body.toString())).toEqual({ status: 'unavailable', reason: 'connection refused' });
  });

  it('streams a read with Content-Length, and cuts the connection when the backend stream fails midway', async () => {
    const failing = new Readable({ read() {} });
    let streaming!: () => void;
    const streamHandedOver = new Promise<void>((resolve) => {
      streaming = resolve;
    });
    await serve(
      scriptedConnector({
        read: async (key) => {
          if (key === 'good') {
            return {
              body: Readable.from([Buffer.from('hello '), Buffer.from('world')]),
              length: 11,
              etag: 'e',
            };
          }
          setImmediate(streaming);
          return { body: failing, length: 100, etag: 'e' };
        },
      }),
    );
    const good = await client.get('good');
    expect(good.status).toBe(200);
    expect(good.headers['content-length']).toBe('11');
    expect(good.body.toString()).toBe('hello world');

    const pending = client.get('bad');
    await streamHandedOver;
    failing.push(Buffer.alloc(10));
    failing.destroy(new Error('backend reset'));
    await expect(pending).rejects.toThrow();
    expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
  });

  it('close() lets an in-flight request finish, then removes the socket', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const writeStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    await serve(
      scriptedConnector({
        write: async (_key, body) => {
          started();
          await released;
          return { etag: String(body.length) };
        },
      }),
    );
    const put = client.put('k', 'body');
    await writeStarted;
    const closed = serving!.close(10_000);
    release();
    expect((await put).status).toBe(204);
    await closed;
    await expect(stat(join(dir, 's.sock'))).rejects.toThrow(/ENOENT/);
    serving = undefined;
  });

  it('answers the request beyond maxRequests in flight 503 at once, and serves again after', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reads = 0;
    let bothStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      bothStarted = resolve;
    });
    await serve(
      scriptedConnector({
        read: async () => {
          if (++reads === 2) bothStarted();
          await released;
          return { body: Buffer.from('v'), length: 1, etag: 'e' };
        },
      }),
      undefined,
      2,
    );
    const first = client.get('a');
    const second = client.get('b');
    await started;
    const third = await client.get('c');
    expect(third.status).toBe(503);
    expect(third.headers['retry-after']).toBe('1');
    expect(JSON.parse(third.body.toString()).error).toBe('unavailable');
    expect(reads).toBe(2); // the third never reached the connector
    // Probes and scrapes are still answered.
    expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
    expect((await client.request({ method: 'GET', path: '/metrics' })).status).toBe(200);
    release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect((await client.get('d')).status).toBe(200);
  });

  it('closes connections beyond four per request slot as soon as they are accepted', async () => {
    await serve(scriptedConnector({}), undefined, 1);
    const open = (): Promise<{ socket: Socket; closedUnanswered: Promise<boolean> }> =>
      new Promise((resolve, reject) => {
        const socket = connect(serving!.socketPath);
        let answered = false;
        socket.on('data', () => {
          answered = true;
        });
        const closedUnanswered = new Promise<boolean>((done) => socket.on('close', () => done(!answered)));
        socket.once('connect', () => resolve({ socket, closedUnanswered }));
        socket.once('error', reject);
      });
    const kept = [await open(), await open(), await open(), await open()];
    const fifth = await open();
    expect(await fifth.closedUnanswered).toBe(true);
    // The four kept ones are served.
    kept[0]!.socket.write('GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n');
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      kept[0]!.socket.on('data', (chunk) => {
        text += chunk;
      });
      kept[0]!.socket.on('end', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    for (const { socket } of kept) socket.destroy();
  });
});

describe('startInProcess', () => {
  it('refuses a blocked socket path before it creates the connector (no backend connection opened)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'serve-variant-'));
    try {
      const socketPath = join(dir, 's.sock');
      await writeFile(socketPath, 'data');
      let created = 0;
      const serving = startInProcess(
        {
          variant: {
            name: 't',
            consistency: 'lww',
            writeMode: 'streaming',
            defaultMaxBodyBytes: 1,
            attributes: [],
          },
          create: () => {
            created++;
            return { connector: scriptedConnector({}), backend: 'none' };
          },
        },
        { CONNECTOR_SOCKET: socketPath },
      );
      await expect(serving).rejects.toThrow(
        new ConfigError(`CONNECTOR_SOCKET ${socketPath} exists and is not a socket`),
      );
      expect(created).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
