import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { BadRequestError } from './errors.js';
import {
  compareBytes,
  decodeRawPath,
  KeyNamespace,
  keyBytesUnder,
  sortByBytes,
  validateKey,
  validatePrefix,
} from './keys.js';

/** What Node hands over for a request line containing these UTF-8 bytes. */
const latin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe('decodeRawPath', () => {
  it('decodes percent escapes, UTF-8 included', () => {
    expect(decodeRawPath('a%20b/caf%C3%A9')).toBe('a b/café');
  });

  it('keeps an invalid escape literal', () => {
    expect(decodeRawPath('100%zz')).toBe('100%zz');
    expect(decodeRawPath('end%')).toBe('end%');
    expect(decodeRawPath('end%4')).toBe('end%4');
  });

  it('reads raw UTF-8 bytes as UTF-8', () => {
    expect(decodeRawPath(latin1('日本/é'))).toBe('日本/é');
  });

  it('does not treat + as a space in the path', () => {
    expect(decodeRawPath('a+b')).toBe('a+b');
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(() => decodeRawPath('bad%FF')).toThrow(/not valid UTF-8/);
  });
});

describe('validateKey', () => {
  it('accepts ordinary keys', () => {
    for (const key of [
      'a',
      'user_123.json',
      'dir/sub/file',
      'with space',
      'ünï/日本',
      '.hidden',
      'a..b',
      'x'.repeat(1024),
    ]) {
      expect(validateKey(key)).toBe(key);
    }
  });

  it.each([
    ['', /empty/],
    ['/abs', /start with '\/'/],
    ['dir/', /end with '\/'/],
    ['a//b', /empty path segment/],
    ['./a', /'\.' path segment/],
    ['a/..', /'\.\.' path segment/],
    ['tab\there', /control character/],
    ['nul\u0000', /control character/],
    ['c1\u0085', /control character/],
    ['x'.repeat(1025), /longer than 1024 bytes/],
    ['é'.repeat(513), /longer than 1024 bytes/],
  ])('rejects %j naming the rule', (key, rule) => {
    expect(() => validateKey(key)).toThrow(BadRequestError);
    expect(() => validateKey(key)).toThrow(rule);
  });
});

describe('keyBytesUnder', () => {
  it('leaves the backend limit less the namespace, counted in UTF-8 bytes', () => {
    expect(keyBytesUnder('')).toBe(1024);
    expect(keyBytesUnder('p/')).toBe(1022);
    expect(keyBytesUnder('é:')).toBe(1021);
    expect(keyBytesUnder('p/', 250)).toBe(248);
  });

  it('is a ConfigError naming STATE_PREFIX when the namespace leaves no room', () => {
    expect(() => keyBytesUnder(`${'p'.repeat(1023)}/`)).toThrow(ConfigError);
    expect(() => keyBytesUnder(`${'p'.repeat(1023)}/`)).toThrow(/STATE_PREFIX is too long/);
  });

  it('is the limit validateKey and validatePrefix apply, and their message says so', () => {
    const max = keyBytesUnder('p/');
    expect(validateKey('x'.repeat(max), max)).toHaveLength(1022);
    expect(() => validateKey('x'.repeat(max + 1), max)).toThrow(
      /longer than 1022 bytes \(1024 less .*STATE_PREFIX/,
    );
    expect(() => validatePrefix('x'.repeat(max + 1), max)).toThrow(/prefix is longer than 1022 bytes/);
  });
});

describe('KeyNamespace', () => {
  it('puts keys under prefix + separator, and reads back only its own', () => {
    const ns = new KeyNamespace('mount', ':');
    expect(ns.root).toBe('mount:');
    expect(ns.toBackend('a/b')).toBe('mount:a/b');
    expect(ns.fromBackend('mount:a/b')).toBe('a/b');
    expect(ns.fromBackend('mounted:a')).toBeUndefined();
    expect(ns.maxKeyBytes).toBe(1018);
  });

  it('is the key itself without a prefix', () => {
    const ns = new KeyNamespace('', '/');
    expect(ns.toBackend('a/b')).toBe('a/b');
    expect(ns.fromBackend('a/b')).toBe('a/b');
    expect(ns.maxKeyBytes).toBe(1024);
  });
});

describe('validatePrefix', () => {
  it('accepts empty prefixes and prefixes ending with /', () => {
    for (const prefix of ['', 'a', 'a/', 'a/b/', 'a/b']) expect(validatePrefix(prefix)).toBe(prefix);
  });

  it('rejects what a key may not have, but a trailing slash', () => {
    for (const prefix of ['/a', 'a//', 'a/../', '../', 'a\u0001'])
      expect(() => validatePrefix(prefix)).toThrow(BadRequestError);
  });
});

describe('sortByBytes', () => {
  it('orders by UTF-8 bytes, not UTF-16 code units, and removes duplicates', () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 ...) by bytes,
    // but after it by UTF-16 code units (FF5E > D83D).
    expect(sortByBytes(['😀', '～', 'b', 'B', 'b'])).toEqual(['B', 'b', '～', '😀']);
  });

  it('compareBytes agrees with comparing the UTF-8 bytes, around every range boundary', () => {
    const samples = [
      '',
      'a',
      'ab',
      'b',
      'B',
      '\u007f',
      '\u0080',
      'é',
      'e\u0301',
      '\ud7ff',
      '\ue000',
      '～',
      '\uffff',
    ];
    samples.push('😀', '𐀀', '\u{10ffff}', 'a😀', 'a\uffff', '😀a', '😀😀');
    for (const a of samples) {
      for (const b of samples) {
        const bytes = Buffer.compare(Buffer.from(a), Buffer.from(b));
        expect([a, b, Math.sign(compareBytes(a, b))]).toEqual([a, b, bytes]);
      }
    }
  });
});
