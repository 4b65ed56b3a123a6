import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from './fault-proxy.js';

/** An echo server that counts the connections it receives. */
async function startEchoServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return { server, port: address.port, connections: () => count };
}

async function open(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** Sends `text` and resolves with the first reply. */
async function echo(socket: Socket, text: string): Promise<string> {
  socket.write(text);
  const [data] = await once(socket, 'data');
  return String(data);
}

/**
 * What a client with an idle timeout sees: 'timeout' when nothing comes back (a hung server),
 * otherwise 'data', 'closed' or 'error'. The timeout is the detection mechanism being exercised, as
 * in any client of a hung server, not a synchronisation sleep.
 */
function outcome(socket: Socket, idleMs = 300): Promise<'timeout' | 'data' | 'closed' | 'error'> {
  return new Promise((resolve) => {
    socket.setTimeout(idleMs, () => resolve('timeout'));
    socket.once('data', () => resolve('data'));
    socket.once('close', () => resolve('closed'));
    socket.once('error', () => resolve('error'));
  });
}

describe('startFaultProxy', () => {
  let target: Awaited<ReturnType<typeof startEchoServer>>;
  let proxy: FaultProxy;
  const sockets: Socket[] = [];
  const track = (socket: Socket) => {
    sockets.push(socket);
    return socket;
  };

  beforeEach(async () => {
    target = await startEchoServer();
    proxy = await startFaultProxy({ host: '127.0.0.1', port: target.port });
  });

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await proxy.close();
    target.server.close();
  });

  it('forwards in pass mode', async () => {
    expect(proxy.host).toBe('127.0.0.1');
    const socket = track(await open(proxy.port));
    expect(await echo(socket, 'ping')).toBe('ping');
    expect(target.connections()).toBe(1);
  });

  it('refuses new connections and drops live ones in refuse mode, then serves on the same port again', async () => {
    const live = track(await open(proxy.port));
    expect(await echo(live, 'before')).toBe('before');
    const liveOutcome = outcome(live);

    await proxy.setMode('refuse');
    expect(await liveOutcome).toBe('closed');
    const refused = track(connect({ host: '127.0.0.1', port: proxy.port }));
    const [error] = (await once(refused, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNREFUSED');

    await proxy.setMode('pass');
    const again = track(await open(proxy.port));
    expect(await echo(again, 'after')).toBe('after');
  });

  it('accepts and never answers in blackhole mode, also on live connections', async () => {
    const live = track(await open(proxy.port));
    expect(await echo(live, 'before')).toBe('before');

    await proxy.setMode('blackhole');
    const hung = track(await open(proxy.port));
    const hungOutcome = outcome(hung);
    hung.write('anyone there?');
    const liveOutcome = outcome(live);
    live.write('still there?');
    expect(await hungOutcome).toBe('timeout');
    expect(await liveOutcome).toBe('timeout');
    expect(target.connections()).toBe(1); // the blackholed connection never reached the target

    // Recovery: swallowed connections are broken (as after a restart); new ones are forwarded.
    const hungClosed = outcome(hung, 60_000);
    await proxy.setMode('pass');
    expect(await hungClosed).toBe('closed');
    const fresh = track(await open(proxy.port));
    expect(await echo(fresh, 'back')).toBe('back');
  });

  it('resets the client when the target is down', async () => {
    await new Promise<void>((resolve) => target.server.close(() => resolve()));
    const socket = track(await open(proxy.port));
    socket.write('hello');
    expect(await outcome(socket, 60_000)).toMatch(/closed|error/);
  });
});
