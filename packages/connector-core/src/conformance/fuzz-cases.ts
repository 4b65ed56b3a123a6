/**
 * A seeded generator of malformed (and some valid) requests for the fuzz suite. Every request is
 * complete as sent: nothing waits for bytes that never come, so every one must get an answer.
 */

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase {
  /** Which builder made it, for the failure message. */
  kind: string;
  bytes: Buffer;
  /** HEAD answers carry no body to check. */
  head: boolean;
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, below: number) => Math.floor(random() * below);

/** Pieces of key paths that have broken parsers before: escapes, dot segments, controls, UTF-8. */
const PATH_PIECES = [
  'a',
  'user_1.json',
  '%2F',
  '%2f..%2f',
  '%zz',
  '%',
  '%0',
  '%00',
  '%C0%AF', // overlong UTF-8 for '/'
  '%FF%FE',
  '%E2%82%AC',
  '..',
  '.',
  '//',
  '\\',
  '#frag',
  ';p=1',
  '€',
  '\u00e9',
  '%20',
  '+',
  '*',
  '~',
];
const CONTROL_BYTES = ['\x01', '\x7f', '\t', '\x00', '\x1b'];
const METHODS = [
  'GET',
  'PUT',
  'HEAD',
  'DELETE',
  'POST',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'get',
  'FOO',
  'PROPFIND',
  'CONNECT',
  'M-SEARCH',
];
const ROUTES = [
  '/keys/',
  '/keys',
  '/meta/',
  '/healthz',
  '/readyz',
  '/metrics',
  '/',
  '/nope',
  '*',
  'http://h/keys/a',
];

function keyPath(random: Random): string {
  let path = '';
  for (let n = 1 + int(random, 5); n > 0; n--)
    path += `${pick(random, PATH_PIECES)}${random() < 0.5 ? '/' : ''}`;
  return path;
}

function randomQuery(random: Random): string {
  const names = ['prefix', 'delimiter', 'attr', 'limit', 'x', '', '%zz', 'attr[]'];
  const parts: string[] = [];
  for (let n = int(random, 4); n > 0; n--) parts.push(`${pick(random, names)}=${keyPath(random)}`);
  return parts.length === 0 ? '' : `?${parts.join(random() < 0.8 ? '&' : ';')}`;
}

function request(method: string, target: string, headers: string[], body: Buffer | string = ''): Buffer {
  const head = `${method} ${target} HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
}

const withLength = (body: string) => [`Content-Length: ${Buffer.byteLength(body)}`];

/** Each builder makes one kind of request from the random stream. */
const BUILDERS: Record<string, (random: Random) => { bytes: Buffer; method: string }> = {
  method: (random) => {
    const method = pick(random, METHODS);
    return {
      method,
      bytes: request(method, `${pick(random, ROUTES)}${keyPath(random)}${randomQuery(random)}`, []),
    };
  },
  requestLine: (random) => {
    const line = pick(random, [
      'GET /keys/a HTTP/1.2',
      'GET /keys/a HTTP/2.0',
      'GET /keys/a HTTX/1.1',
      'GET /keys/a',
      'GET  /keys/a HTTP/1.1',
      '/keys/a HTTP/1.1',
      'GET /keys/a HTTP/1.1 extra',
      ' GET /keys/a HTTP/1.1',
      'GET\t/keys/a\tHTTP/1.1',
    ]);
    return {
      method: 'GET',
      bytes: Buffer.from(`${line}\r\nHost: fuzz\r\nConnection: close\r\n\r\n`, 'latin1'),
    };
  },
  escapes: (random) => {
    const method = pick(random, ['GET', 'PUT', 'HEAD', 'DELETE']);
    const body = method === 'PUT' ? 'v' : '';
    return {
      method,
      bytes: request(method, `/keys/${keyPath(random)}${randomQuery(random)}`, withLength(body), body),
    };
  },
  controlBytes: (random) => {
    const control = pick(random, CONTROL_BYTES);
    const inHeader = random() < 0.5;
    const target = inHeader ? `/keys/${keyPath(random)}` : `/keys/a${control}b`;
    return { method: 'GET', bytes: request('GET', target, inHeader ? [`X-Fuzz: a${control}b`] : []) };
  },
  overlongPath: (random) => {
    const length = pick(random, [1025, 1100, 4096, 20_000]);
    const method = pick(random, ['GET', 'HEAD', 'PUT', 'DELETE']);
    const body = method === 'PUT' ? 'v' : '';
    return { method, bytes: request(method, `/keys/${'k'.repeat(length)}`, withLength(body), body) };
  },
  headerFlood: (random) => {
    const headers =
      random() < 0.5
        ? Array.from(
            { length: 100 + int(random, 300) },
            (_, i) => `X-Flood-${i}: ${'v'.repeat(int(random, 80))}`,
          )
        : [`X-Big: ${'b'.repeat(8_000 + int(random, 20_000))}`];
    return { method: 'GET', bytes: request('GET', '/keys/a', headers) };
  },
  lengths: (random) => {
    const headers = pick(random, [
      ['Content-Length: 5', 'Content-Length: 6'],
      ['Content-Length: -1'],
      ['Content-Length: abc'],
      ['Content-Length: 1e3'],
      ['Content-Length: 0x10'],
      ['Content-Length: 99999999999999999999'],
      ['Content-Length: 5', 'Transfer-Encoding: chunked'],
      ['Transfer-Encoding: chunked, identity'],
      ['Content-Length: 5', 'Expect: 100-continue'],
      ['Content-Length: 5', 'Expect: something-else'],
    ]);
    return { method: 'PUT', bytes: request('PUT', `/keys/fuzz/${int(random, 20)}`, headers, 'hello') };
  },
  chunkFraming: (random) => {
    const body = pick(random, [
      'zz\r\nhello\r\n0\r\n\r\n',
      '5\r\nhelloXX0\r\n\r\n',
      '5 ;ext\r\nhello\r\n0\r\n\r\n',
      '-5\r\nhello\r\n0\r\n\r\n',
      '5\nhello\n0\n\n',
      '0\r\nTrailer: \x01\r\n\r\n',
      'ffffffffffffffffff\r\n',
    ]);
    return {
      method: 'PUT',
      bytes: request('PUT', `/keys/fuzz/${int(random, 20)}`, ['Transfer-Encoding: chunked'], body),
    };
  },
  attributeBody: (random) => {
    const body = pick(random, [
      '{',
      '[]',
      'null',
      '{"value": {}}',
      '{"value": null}',
      '{"value": 1e999}',
      '"x"',
      '{"value": "x"',
      '\u0000',
      '{"value": "60"}',
      '{"value": "-1"}',
      '{"value": 3.5}',
    ]);
    const attr = pick(random, ['ttl', 'user.x', 'content_type', 'unknown', '', 'user.', '%zz']);
    return {
      method: 'PUT',
      bytes: request('PUT', `/meta/fuzz/${int(random, 20)}?attr=${attr}`, withLength(body), body),
    };
  },
  attributeQuery: (random) => {
    const method = pick(random, ['GET', 'PUT', 'DELETE', 'HEAD']);
    const body = method === 'PUT' ? '{"value": "1"}' : '';
    return {
      method,
      bytes: request(method, `/meta/${keyPath(random)}${randomQuery(random)}`, withLength(body), body),
    };
  },
  valid: (random) => {
    const key = `fuzz/${int(random, 20)}`;
    const method = pick(random, ['GET', 'PUT', 'HEAD', 'DELETE', 'LIST']);
    if (method === 'LIST')
      return {
        method: 'GET',
        bytes: request('GET', `/keys/?prefix=fuzz/${randomQuery(random).replace('?', '&')}`, []),
      };
    const body = method === 'PUT' ? 'v'.repeat(int(random, 2048)) : '';
    return { method, bytes: request(method, `/keys/${key}`, method === 'PUT' ? withLength(body) : [], body) };
  },
};

const KINDS = Object.keys(BUILDERS);

export function fuzzCase(random: Random): FuzzCase {
  const kind = pick(random, KINDS);
  const { bytes, method } = BUILDERS[kind]!(random);
  return { kind, bytes, head: method === 'HEAD' };
}
