/**
 * Server-side scripts. Each runs atomically in Redis, so a compare and the write that depends on
 * it cannot be separated by another client's write. node-redis sends EVALSHA and falls back to
 * EVAL when the server does not know the script yet (NOSCRIPT, e.g. after a restart).
 */
import { type CommandParser, defineScript } from '@redis/client';

/** What `compareAndSet` and `commitUpload` answer. */
export const CAS_WRITTEN = 1;
export const CAS_CHANGED = 0;
export const CAS_MISSING = -1;
/** `commitUpload`: the uploaded value is gone (its safety TTL passed): nothing was written. */
export const UPLOAD_GONE = -2;

/**
 * SET the value only if the stored content still has the expected SHA-1 (our ETag).
 * KEYS[1] storage key; ARGV[1] expected etag (lowercase hex); ARGV[2] new value.
 */
export const compareAndSet = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: `
local current = redis.call('GET', KEYS[1])
if not current then return ${CAS_MISSING} end
if redis.sha1hex(current) ~= ARGV[1] then return ${CAS_CHANGED} end
redis.call('SET', KEYS[1], ARGV[2])
return ${CAS_WRITTEN}`,
  parseCommand(parser: CommandParser, key: string, etag: string, value: Buffer) {
    parser.pushKey(key);
    parser.push(etag, value);
  },
  transformReply: (reply: unknown) => Number(reply),
});

/**
 * Length and SHA-1 of a value without shipping the value to us (HEAD on a large key stays cheap).
 * KEYS[1] storage key. Answers nil when the key is missing.
 */
export const statValue = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: `
local current = redis.call('GET', KEYS[1])
if not current then return nil end
return { string.len(current), redis.sha1hex(current) }`,
  parseCommand(parser: CommandParser, key: string) {
    parser.pushKey(key);
  },
  transformReply(reply: unknown): { length: number; etag: string } | undefined {
    if (reply === null) return undefined;
    const [length, etag] = reply as [number, string | Buffer];
    return { length: Number(length), etag: String(etag) };
  },
});

/**
 * A value whole when it is small, else only its length and SHA-1, so that a large value is never
 * shipped in one reply (it is then read in ranges). One round trip for the common small read.
 * KEYS[1] storage key; ARGV[1] the largest length answered whole.
 * Answers nil when the key is missing, `[value]` when small, `[length, etag]` when large.
 */
export const readValue = defineScript({
  NUMBER_OF_KEYS: 1,
  SCRIPT: `
local length = redis.call('STRLEN', KEYS[1])
if length <= tonumber(ARGV[1]) then
  local value = redis.call('GET', KEYS[1])
  if not value then return nil end
  return { value }
end
return { length, redis.sha1hex(redis.call('GET', KEYS[1])) }`,
  parseCommand(parser: CommandParser, key: string, inlineBytes: number) {
    parser.pushKey(key);
    parser.push(String(inlineBytes));
  },
  transformReply(reply: unknown): StoredValue | undefined {
    if (reply === null) return undefined;
    const parts = reply as [Buffer] | [number, Buffer];
    if (parts.length === 1) return { value: parts[0] };
    return { length: Number(parts[0]), etag: parts[1]!.toString('latin1') };
  },
});

export type StoredValue = { value: Buffer } | { length: number; etag: string };

/**
 * Makes an uploaded value (written in chunks to its own temporary key) the key's value, atomically
 * and under the same conditions as a single write: RENAME replaces the value in one step, so no
 * reader ever sees a partial one. PERSIST: a write clears the TTL, as SET does.
 * KEYS[1] storage key, KEYS[2] upload key; ARGV[1] '' (no condition), '*' (absent) or an etag.
 */
export const commitUpload = defineScript({
  NUMBER_OF_KEYS: 2,
  SCRIPT: `
if redis.call('EXISTS', KEYS[2]) == 0 then return ${UPLOAD_GONE} end
if ARGV[1] == '*' then
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('DEL', KEYS[2])
    return ${CAS_CHANGED}
  end
elseif ARGV[1] ~= '' then
  local current = redis.call('GET', KEYS[1])
  local outcome = ${CAS_WRITTEN}
  if not current then outcome = ${CAS_MISSING}
  elseif redis.sha1hex(current) ~= ARGV[1] then outcome = ${CAS_CHANGED} end
  if outcome ~= ${CAS_WRITTEN} then
    redis.call('DEL', KEYS[2])
    return outcome
  end
end
redis.call('RENAME', KEYS[2], KEYS[1])
redis.call('PERSIST', KEYS[1])
return ${CAS_WRITTEN}`,
  parseCommand(parser: CommandParser, key: string, uploadKey: string, condition: string) {
    parser.pushKey(key);
    parser.pushKey(uploadKey);
    parser.push(condition);
  },
  transformReply: (reply: unknown) => Number(reply),
});

export const SCRIPTS = { compareAndSet, statValue, readValue, commitUpload };
