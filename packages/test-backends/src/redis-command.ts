// Commands to one Redis server or sentinel on a connection of their own: what the harness needs to
// watch a topology form and fail over (CLUSTER INFO, SENTINEL MASTER, INFO replication ...). Plain
// sockets, not node-redis: the harness must not depend on the client its users test, and a
// node-redis connect was measured at 100-500 ms on a loaded machine where a socket took 1-5 ms.
import { connect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { encodeCommand, parseReplies, RespError, type RespReply } from './resp.js';
import type { RedisAddress } from './types.js';

const TIMEOUT_MS = 2000;

/**
 * Sends `commands` on one connection to the server at `address` (over TLS with `tls`) and resolves
 * with their replies in order; an error reply, a broken connection or 2 s of silence rejects.
 */
export function redisCommands(
  address: RedisAddress,
  commands: string[][],
  tls?: ConnectionOptions,
): Promise<RespReply[]> {
  const { host, port } = address;
  return new Promise((resolve, reject) => {
    const socket = tls ? tlsConnect({ ...tls, host, port }) : connect({ host, port });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | undefined, replies: RespReply[] = []) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(replies);
    };
    const what = `${commands.map((args) => args.join(' ')).join('; ')} to ${host}:${port}`;
    socket.setTimeout(TIMEOUT_MS, () => finish(new Error(`${what}: no answer within ${TIMEOUT_MS} ms`)));
    socket.once('error', (error) => finish(new Error(`${what}: ${error.message}`)));
    socket.once('close', () => finish(new Error(`${what}: the connection closed before the replies`)));
    socket.once(tls ? 'secureConnect' : 'connect', () =>
      socket.write(Buffer.concat(commands.map(encodeCommand))),
    );
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const replies = parseReplies(received);
      if (replies.length < commands.length) return;
      const failure = replies.find((reply) => reply instanceof RespError);
      if (failure) finish(new Error(`${what}: ${failure.message}`));
      else finish(undefined, replies as RespReply[]);
    });
  });
}

/** One command: see redisCommands(). */
export async function redisCommand(
  address: RedisAddress,
  args: string[],
  tls?: ConnectionOptions,
): Promise<RespReply> {
  const [reply] = await redisCommands(address, [args], tls);
  return reply ?? null;
}

/** A field of an INFO or CLUSTER INFO reply (`name:value` lines), or undefined. */
export function infoField(reply: RespReply, name: string): string | undefined {
  const line = String(reply)
    .split('\r\n')
    .find((candidate) => candidate.startsWith(`${name}:`));
  return line?.slice(name.length + 1);
}
