/**
 * Server-side scripts. Each runs atomically in Redis, so a compare and the write that depends on
 * it cannot be separated by another client's write. node-redis sends EVALSHA and falls back to
 * EVAL when the server does not know the script yet (NOSCRIPT, e.g. after a restart).
 */
import { type CommandParser, defineScript } from '@redis/client';

/** What `compareAndSet` answers. */
export const CAS_WRITTEN = 1;
export const CAS_CHANGED = 0;
export const CAS_MISSING = -1;

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

export const SCRIPTS = { compareAndSet, statValue };
