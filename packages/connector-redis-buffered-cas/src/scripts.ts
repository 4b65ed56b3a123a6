/**
 * Server-side scripts. Each runs atomically in Redis, so a compare and the write that depends on
 * it cannot be separated by another client's write. Sent as EVALSHA, with EVAL as the fallback
 * when the server does not know the script yet (NOSCRIPT, e.g. after a restart).
 */
import { createHash } from 'node:crypto';
import type { RedisArgument } from '@redis/client';
import { BINARY, type Redis } from './node-redis.js';

interface LuaScript {
  source: string;
  sha1: string;
}

function lua(source: string): LuaScript {
  return { source, sha1: createHash('sha1').update(source).digest('hex') };
}

async function runScript<T>(
  redis: Redis,
  script: LuaScript,
  keys: readonly string[],
  args: readonly RedisArgument[],
  options?: typeof BINARY,
): Promise<T> {
  const command: RedisArgument[] = ['EVALSHA', script.sha1, NUMBER_STRINGS[keys.length]!];
  for (const key of keys) command.push(key);
  for (const arg of args) command.push(arg);
  try {
    return await redis.sendCommand<T>(command, options);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    command[0] = 'EVAL';
    command[1] = script.source;
    return await redis.sendCommand<T>(command, options);
  }
}

/** numkeys as EVALSHA takes it: a string, made once. */
const NUMBER_STRINGS = ['0', '1', '2'];

/** What `compareAndSet` and `commitUpload` answer. */
export const CAS_WRITTEN = 1;
export const CAS_CHANGED = 0;
export const CAS_MISSING = -1;
/** `commitUpload`: the uploaded value is gone (its safety TTL passed): nothing was written. */
export const UPLOAD_GONE = -2;
/**
 * The stored value is longer than the caller let the script hash (hashing takes time in
 * proportion to the value): nothing was written; ask again with a deadline sized for `length`.
 */
export type TooLongToHash = [length: number];

/**
 * SET the value only if the stored content still has the expected SHA-1 (our ETag). The stored
 * value is hashed only up to ARGV[3] bytes, so that the call's time never depends on a size only
 * Redis knows: a longer one answers `{length}` and nothing is written.
 * KEYS[1] storage key; ARGV[1] expected etag (lowercase hex); ARGV[2] new value; ARGV[3] the
 * largest stored length hashed.
 */
const COMPARE_AND_SET = lua(`
local length = redis.call('STRLEN', KEYS[1])
if length == 0 and redis.call('EXISTS', KEYS[1]) == 0 then return ${CAS_MISSING} end
if length > tonumber(ARGV[3]) then return { length } end
if redis.sha1hex(redis.call('GET', KEYS[1])) ~= ARGV[1] then return ${CAS_CHANGED} end
redis.call('SET', KEYS[1], ARGV[2])
return ${CAS_WRITTEN}`);

export function compareAndSet(
  redis: Redis,
  key: string,
  etag: string,
  value: Buffer,
  hashBytes: number,
): Promise<number | TooLongToHash> {
  return runScript(redis, COMPARE_AND_SET, [key], [etag, value, String(hashBytes)]);
}

/**
 * Length and SHA-1 of a value without shipping the value to us (HEAD on a large key stays cheap).
 * The hash takes time in proportion to the value, so it is only taken up to `hashBytes`: a longer
 * value answers its length alone, and the caller asks again with a deadline sized for it.
 * KEYS[1] storage key; ARGV[1] the largest length hashed. Answers nil when the key is missing.
 */
const STAT_VALUE = lua(`
local length = redis.call('STRLEN', KEYS[1])
if length == 0 and redis.call('EXISTS', KEYS[1]) == 0 then return nil end
if length > tonumber(ARGV[1]) then return { length } end
return { length, redis.sha1hex(redis.call('GET', KEYS[1])) }`);

export async function statValue(
  redis: Redis,
  key: string,
  hashBytes: number,
): Promise<{ length: number; etag: string } | { length: number } | undefined> {
  const reply = await runScript<[number] | [number, string] | null>(
    redis,
    STAT_VALUE,
    [key],
    [String(hashBytes)],
  );
  if (reply === null) return undefined;
  return reply.length === 1 ? { length: reply[0] } : { length: reply[0], etag: reply[1] };
}

/**
 * A value whole when it is small, else only its length, so that a large value is never shipped in
 * one reply (it is then read in ranges) and the script's time never depends on the value's size.
 * Reads start with a plain GETRANGE (connector.ts); this runs when its empty answer cannot tell a
 * missing key from an empty value.
 * KEYS[1] storage key; ARGV[1] the largest length answered whole.
 * Answers nil when the key is missing, `[value]` when small, `[length]` when large.
 */
const READ_VALUE = lua(`
local length = redis.call('STRLEN', KEYS[1])
if length <= tonumber(ARGV[1]) then
  local value = redis.call('GET', KEYS[1])
  if not value then return nil end
  return { value }
end
return { length }`);

export async function readValue(
  redis: Redis,
  key: string,
  inlineBytes: number,
): Promise<StoredValue | undefined> {
  const reply = await runScript<[Buffer | number] | null>(
    redis,
    READ_VALUE,
    [key],
    [String(inlineBytes)],
    BINARY,
  );
  if (reply === null) return undefined;
  const [first] = reply;
  return typeof first === 'number' ? { length: first } : { value: first };
}

export type StoredValue = { value: Buffer } | { length: number };

/**
 * Makes an uploaded value (written in chunks to its own temporary key) the key's value, atomically
 * and under the same conditions as a single write: RENAME replaces the value in one step, so no
 * reader ever sees a partial one. PERSIST: a write clears the TTL, as SET does. The stored value
 * is hashed (for an etag condition) only up to ARGV[2] bytes, as in COMPARE_AND_SET: a longer
 * one answers `{length}` and nothing changes.
 * KEYS[1] storage key, KEYS[2] upload key; ARGV[1] '' (no condition), '*' (absent) or an etag;
 * ARGV[2] the largest stored length hashed.
 */
const COMMIT_UPLOAD = lua(`
if redis.call('EXISTS', KEYS[2]) == 0 then return ${UPLOAD_GONE} end
if ARGV[1] == '*' then
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('DEL', KEYS[2])
    return ${CAS_CHANGED}
  end
elseif ARGV[1] ~= '' then
  local length = redis.call('STRLEN', KEYS[1])
  local outcome = ${CAS_WRITTEN}
  if length == 0 and redis.call('EXISTS', KEYS[1]) == 0 then outcome = ${CAS_MISSING}
  elseif length > tonumber(ARGV[2]) then return { length }
  elseif redis.sha1hex(redis.call('GET', KEYS[1])) ~= ARGV[1] then outcome = ${CAS_CHANGED} end
  if outcome ~= ${CAS_WRITTEN} then
    redis.call('DEL', KEYS[2])
    return outcome
  end
end
redis.call('RENAME', KEYS[2], KEYS[1])
redis.call('PERSIST', KEYS[1])
return ${CAS_WRITTEN}`);

export function commitUpload(
  redis: Redis,
  key: string,
  uploadKey: string,
  condition: string,
  hashBytes: number,
): Promise<number | TooLongToHash> {
  return runScript(redis, COMMIT_UPLOAD, [key, uploadKey], [condition, String(hashBytes)]);
}
