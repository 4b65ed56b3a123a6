import { connect, createServer, type Server, type Socket } from 'node:net';

const LOOPBACK = '127.0.0.1';

/**
 * - `pass`: forwards to the target.
 * - `refuse`: the listener is closed and every live connection destroyed, like a stopped server.
 * - `blackhole`: connections are accepted and never answered, like a hung server; live connections
 *   stop forwarding too.
 */
export type FaultMode = 'pass' | 'refuse' | 'blackhole';

export interface FaultProxy {
  host: string;
  port: number;
  /** Resolves once the mode is in force (listener closed or reopened, connections dealt with). */
  setMode(mode: FaultMode): Promise<void>;
  close(): Promise<void>;
}

interface Connection {
  client: Socket;
  upstream?: Socket;
  /** Stopped forwarding (blackholed); such a connection is useless once we forward again. */
  frozen: boolean;
}

function freeze(connection: Connection): void {
  connection.frozen = true;
  const { client, upstream } = connection;
  if (upstream) {
    client.unpipe(upstream);
    upstream.unpipe(client);
    upstream.resume(); // keep reading and dropping, so nothing reaches the client
  }
  client.resume(); // a flowing socket with no reader drops what it receives
}

function destroy(connection: Connection): void {
  connection.client.destroy();
  connection.upstream?.destroy();
}

/**
 * A TCP proxy on a free loopback port in front of `target`, for fault tests with any backend.
 * Point the client under test at { host, port } and switch modes to simulate outages. After
 * `refuse`, the listener comes back on the same port.
 */
export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  let closed = false;
  const connections = new Set<Connection>();

  const onConnection = (client: Socket) => {
    const connection: Connection = { client, frozen: false };
    connections.add(connection);
    client.once('close', () => {
      connections.delete(connection);
      connection.upstream?.destroy();
    });
    client.on('error', () => destroy(connection));
    if (mode === 'blackhole') {
      freeze(connection);
      return;
    }
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    connection.upstream = upstream;
    upstream.on('error', () => destroy(connection)); // e.g. target down: the client sees a reset
    upstream.once('close', () => client.destroy());
    upstream.once('connect', () => {
      if (connection.frozen) return;
      client.pipe(upstream);
      upstream.pipe(client);
    });
  };

  const listen = (server: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });

  const newServer = () => createServer({ allowHalfOpen: true }, onConnection);
  let server: Server | undefined = newServer();
  await listen(server, 0);
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('fault proxy: could not read its port');
  const port = address.port;

  const closeListener = async () => {
    const current = server;
    server = undefined;
    for (const connection of connections) destroy(connection);
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  return {
    host: LOOPBACK,
    port,
    async setMode(next) {
      if (closed) throw new Error('fault proxy is closed');
      const previous = mode;
      mode = next;
      if (next === 'refuse') {
        await closeListener();
        return;
      }
      if (next === 'blackhole') {
        for (const connection of connections) freeze(connection);
      } else if (previous === 'blackhole') {
        // The "hung server" recovered: the connections it swallowed are broken, as after a restart.
        for (const connection of connections) if (connection.frozen) destroy(connection);
      }
      if (!server) {
        server = newServer();
        await listen(server, port);
      }
    },
    async close() {
      closed = true;
      await closeListener();
    },
  };
}
