/**
 * Keys and listing prefixes: decoding from the raw request target and validation (docs/keys.md).
 * Validation happens here, once, before any connector method is called.
 */
import { ConfigError } from './config.js';
import { BadRequestError } from './errors.js';

/** The longest key, in UTF-8 bytes, when a backend adds nothing before it (S3's own limit). */
export const MAX_KEY_BYTES = 1024;

/**
 * The longest key a backend takes when the connector stores every key under `namespace` (what
 * it puts before each key, e.g. `prefix/`): the full backend key must fit `backendLimit`, so the
 * key rules count the namespace too. ConfigError when the namespace leaves no room.
 */
export function keyBytesUnder(namespace: string, backendLimit = MAX_KEY_BYTES): number {
  const left = backendLimit - Buffer.byteLength(namespace, 'utf8');
  if (left < 1)
    throw new ConfigError(
      `STATE_PREFIX is too long: with it a key could have ${left} bytes (the backend's keys are at most ${backendLimit})`,
    );
  return left;
}

/**
 * Where a connector keeps mount keys in its backend (docs/keys.md#backend-keys): each key under
 * `{prefix}{separator}` (STATE_PREFIX), or as itself without a prefix. The key limit counts that
 * namespace (keyBytesUnder).
 */
export class KeyNamespace {
  /** What every backend key of this mount starts with: '' or prefix + separator. */
  readonly root: string;
  readonly maxKeyBytes: number;

  constructor(prefix: string, separator: string, backendLimit = MAX_KEY_BYTES) {
    this.root = prefix === '' ? '' : prefix + separator;
    this.maxKeyBytes = keyBytesUnder(this.root, backendLimit);
  }

  /** The backend key of a mount key (or of a listing prefix). */
  toBackend(key: string): string {
    return this.root + key;
  }

  /** The mount key of a backend key, or undefined for one outside this namespace. */
  fromBackend(backendKey: string): string | undefined {
    return backendKey.startsWith(this.root) ? backendKey.slice(this.root.length) : undefined;
  }
}

const HEX = /^[0-9a-fA-F]{2}$/;
// C0 controls, DEL and C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Nothing to decode: ASCII without a `%` reads the same byte for byte (most keys). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII byte but % is plain
const PLAIN_ASCII = /^[\u0000-\u0024\u0026-\u007f]*$/;

/**
 * Percent-decodes a raw path segment as the runtime sends it. Node hands the request target over
 * as latin1 (one char per byte), so raw UTF-8 bytes and %XX escapes are both decoded at byte level
 * and the result read as UTF-8. An invalid escape (`%zz`, a lone `%`) stays literal.
 */
export function decodeRawPath(raw: string): string {
  if (PLAIN_ASCII.test(raw)) return raw;
  const input = Buffer.from(raw, 'latin1');
  const out = Buffer.allocUnsafe(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === 0x25 /* % */ && i + 2 < input.length && HEX.test(raw.slice(i + 1, i + 3))) {
      out[n++] = Number.parseInt(raw.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      out[n++] = byte;
    }
  }
  try {
    return utf8.decode(out.subarray(0, n));
  } catch {
    throw new BadRequestError('key is not valid UTF-8');
  }
}

/** Parses the query string of a raw request target (form encoding, as the runtime's urlencode writes it). */
export function parseQuery(rawQuery: string): URLSearchParams {
  return new URLSearchParams(Buffer.from(rawQuery, 'latin1').toString('utf8'));
}

function checkCommonRules(value: string, what: 'key' | 'prefix', maxBytes: number): void {
  if (Buffer.byteLength(value, 'utf8') > maxBytes) {
    throw new BadRequestError(
      maxBytes === MAX_KEY_BYTES
        ? `${what} is longer than ${MAX_KEY_BYTES} bytes`
        : `${what} is longer than ${maxBytes} bytes (${MAX_KEY_BYTES} less this connector's STATE_PREFIX and separator)`,
    );
  }
  if (CONTROL_CHARACTER.test(value)) throw new BadRequestError(`${what} contains a control character`);
  if (value.startsWith('/')) throw new BadRequestError(`${what} must not start with '/'`);
}

function checkSegments(segments: string[], what: 'key' | 'prefix'): void {
  for (const segment of segments) {
    if (segment === '') throw new BadRequestError(`${what} has an empty path segment`);
    if (segment === '.' || segment === '..') {
      throw new BadRequestError(`${what} has a '${segment}' path segment`);
    }
  }
}

/** Throws BadRequestError naming the rule a key breaks; `maxBytes` from keyBytesUnder. */
export function validateKey(key: string, maxBytes = MAX_KEY_BYTES): string {
  if (key.length === 0) throw new BadRequestError('key is empty');
  checkCommonRules(key, 'key', maxBytes);
  if (key.endsWith('/')) throw new BadRequestError("key must not end with '/'");
  checkSegments(key.split('/'), 'key');
  return key;
}

/** A listing prefix follows the key rules but may be empty or end with '/'. */
export function validatePrefix(prefix: string, maxBytes = MAX_KEY_BYTES): string {
  if (prefix.length === 0) return prefix;
  checkCommonRules(prefix, 'prefix', maxBytes);
  const body = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  checkSegments(body.split('/'), 'prefix');
  return prefix;
}

/** Sorts strings by their UTF-8 byte order (as S3 does), removing duplicates. */
export function sortByBytes(values: Iterable<string>): string[] {
  return [...(values instanceof Set ? values : new Set(values))].sort(compareBytes);
}

/** Compares two strings by their UTF-8 bytes, without encoding them (it runs n log n times per listing). */
export function compareBytes(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return inCodePointOrder(x) - inCodePointOrder(y);
  }
  return a.length - b.length;
}

/**
 * UTF-8 byte order is code point order. UTF-16 code units follow it except that surrogates
 * (D800-DFFF, code points from 10000 on) sort below E000-FFFF: this moves them above.
 */
function inCodePointOrder(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;
}
