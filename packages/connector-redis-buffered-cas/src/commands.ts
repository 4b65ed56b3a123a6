/**
 * Every Redis command the connector sends, each a line over node-redis's raw `sendCommand`.
 * The client is node-redis's bare RedisClient, not createClient()'s: createClient attaches typed
 * wrappers for all ~500 Redis commands to a new class, twice (MULTI too), which cost ~14 MiB of
 * memory and ~40 ms at start-up, and a parsing layer on every call, for the dozen we use. The
 * bundle leaves node-redis's command table out as well (scripts/tsup-redis-client.js).
 */
import type { RedisArgument } from '@redis/client';
import { RESP_TYPES } from './node-redis.js';

/** What a command needs of the client. */
export interface Redis {
  sendCommand<T>(args: ReadonlyArray<RedisArgument>, options?: typeof BINARY): Promise<T>;
}

/** Binary replies: blob strings come back as Buffers, so no byte is ever decoded as text. */
export const BINARY = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };

export function set(redis: Redis, key: string, value: Buffer): Promise<string> {
  return redis.sendCommand(['SET', key, value]);
}

/** SET NX: null when the key already exists. */
export function setIfAbsent(redis: Redis, key: string, value: Buffer): Promise<string | null> {
  return redis.sendCommand(['SET', key, value, 'NX']);
}

export function setExpiring(redis: Redis, key: string, value: Buffer, ttlMs: number): Promise<string> {
  return redis.sendCommand(['SET', key, value, 'PX', String(ttlMs)]);
}

export function append(redis: Redis, key: string, value: Buffer): Promise<number> {
  return redis.sendCommand(['APPEND', key, value]);
}

/** 1 when applied, 0 for a missing key. */
export function pexpire(redis: Redis, key: string, ms: number): Promise<number> {
  return redis.sendCommand(['PEXPIRE', key, String(ms)]);
}

/** Bytes start..end inclusive; empty past the end or for a missing key. */
export function getRange(redis: Redis, key: string, start: number, end: number): Promise<Buffer> {
  return redis.sendCommand(['GETRANGE', key, String(start), String(end)], BINARY);
}

export function del(redis: Redis, key: string): Promise<number> {
  return redis.sendCommand(['DEL', key]);
}

export function exists(redis: Redis, key: string): Promise<number> {
  return redis.sendCommand(['EXISTS', key]);
}

/** Seconds left; -1 without an expiry, -2 for a missing key. */
export function ttl(redis: Redis, key: string): Promise<number> {
  return redis.sendCommand(['TTL', key]);
}

/** 1 when applied, 0 for a missing key. */
export function expire(redis: Redis, key: string, seconds: number): Promise<number> {
  return redis.sendCommand(['EXPIRE', key, String(seconds)]);
}

export function ping(redis: Redis): Promise<string> {
  return redis.sendCommand(['PING']);
}

/** One SCAN step: the next cursor ('0' when done) and the key names, as raw bytes. */
export async function scan(
  redis: Redis,
  cursor: string,
  pattern: string,
  count: number,
): Promise<{ cursor: string; keys: Buffer[] }> {
  const [next, keys] = await redis.sendCommand<[Buffer, Buffer[]]>(
    ['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(count)],
    BINARY,
  );
  return { cursor: next.toString('latin1'), keys };
}

/** Blocks until `replicas` replicas acknowledged this connection's writes, or `timeoutMs`: how many did. */
export function wait(redis: Redis, replicas: number, timeoutMs: number): Promise<number> {
  return redis.sendCommand(['WAIT', String(replicas), String(timeoutMs)]);
}
