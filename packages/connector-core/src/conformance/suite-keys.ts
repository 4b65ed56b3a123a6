/** Reading, writing, stat and delete of keys; bodies of every shape; keys of every legal form. */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rawRequest } from '../testing/raw.js';
import { expectError, json, type Suite, sha256, uniqueKey } from './suite.js';

const ETAG = /^"[^"]+"$/;

export function keyTests(suite: Suite): void {
  describe('keys', () => {
    it('PUT answers 204 with an ETag; GET returns the bytes with Content-Length and the same ETag', async () => {
      const key = uniqueKey('round-trip.json');
      const put = await suite.client.put(key, '{"n":1}');
      expect(put.status).toBe(204);
      expect(put.headers.etag).toMatch(ETAG);
      const get = await suite.client.get(key);
      expect(get.status).toBe(200);
      expect(get.body.toString()).toBe('{"n":1}');
      expect(get.headers['content-length']).toBe('7');
      expect(get.headers.etag).toBe(put.headers.etag);
    });

    it('a PUT overwrites, and the ETag changes with the content', async () => {
      const key = uniqueKey('overwrite');
      const first = await suite.client.put(key, 'one');
      const second = await suite.client.put(key, 'two');
      expect(second.status).toBe(204);
      expect(second.headers.etag).not.toBe(first.headers.etag);
      expect((await suite.client.get(key)).body.toString()).toBe('two');
    });

    it('GET of a missing key is 404 key_not_found', async () => {
      expectError(await suite.client.get(uniqueKey('missing')), 404, 'key_not_found');
    });

    it('an empty body is stored and read back with Content-Length 0', async () => {
      const key = uniqueKey('empty');
      expect((await suite.client.put(key, Buffer.alloc(0))).status).toBe(204);
      const get = await suite.client.get(key);
      expect(get.status).toBe(200);
      expect(get.headers['content-length']).toBe('0');
      expect(get.body.length).toBe(0);
    });

    it('binary values keep every byte value', async () => {
      const key = uniqueKey('all-bytes.bin');
      const value = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
      expect((await suite.client.put(key, value)).status).toBe(204);
      expect((await suite.client.get(key)).body.equals(value)).toBe(true);
    });

    it('a 1.5 MiB binary body round-trips exactly', async () => {
      const key = uniqueKey('large.bin');
      const value = randomBytes(1536 * 1024);
      expect((await suite.client.put(key, value)).status).toBe(204);
      const get = await suite.client.get(key);
      expect(get.headers['content-length']).toBe(String(value.length));
      expect(sha256(get.body)).toBe(sha256(value));
    });

    it('a chunked body (Transfer-Encoding: chunked) is stored whole', async () => {
      const key = uniqueKey('chunked.bin');
      const parts = [randomBytes(1000), randomBytes(70_000), randomBytes(5), randomBytes(300_000)];
      const put = await suite.client.put(key, Readable.from(parts));
      expect(put.status).toBe(204);
      expect(sha256((await suite.client.get(key)).body)).toBe(sha256(Buffer.concat(parts)));
    });

    it('HEAD of a file is 204 with Content-Length, X-Is-File: true and the ETag', async () => {
      const key = uniqueKey('head.txt');
      const put = await suite.client.put(key, 'twelve bytes');
      const head = await suite.client.head(key);
      expect(head.status).toBe(204);
      expect(head.headers['content-length']).toBe('12');
      expect(head.headers['x-is-file']).toBe('true');
      expect(head.headers.etag).toBe(put.headers.etag);
      expect(head.body.length).toBe(0);
    });

    it('HEAD of a missing key is a bare 404', async () => {
      const head = await suite.client.head(uniqueKey('nothing'));
      expect(head.status).toBe(404);
      expect(head.body.length).toBe(0);
    });

    it('HEAD of the mount root and of a non-empty virtual directory is 204 with X-Is-File: false', async () => {
      const root = await suite.client.request({ method: 'HEAD', path: '/keys/' });
      expect(root.status).toBe(204);
      expect(root.headers['x-is-file']).toBe('false');
      expect(root.headers['content-length']).toBe('0');
      const file = uniqueKey('a/b/c.txt');
      await suite.client.put(file, 'x');
      for (const dir of [file.slice(0, file.indexOf('/a/') + 2), file.slice(0, file.lastIndexOf('/'))]) {
        const head = await suite.client.head(dir);
        expect(head.status).toBe(204);
        expect(head.headers['x-is-file']).toBe('false');
        expect(head.headers['content-length']).toBe('0');
      }
    });

    it('DELETE answers 204 and the key is gone; DELETE of a missing key is 404 key_not_found', async () => {
      const key = uniqueKey('delete-me');
      await suite.client.put(key, 'x');
      expect((await suite.client.delete(key)).status).toBe(204);
      expectError(await suite.client.get(key), 404, 'key_not_found');
      expectError(await suite.client.delete(key), 404, 'key_not_found');
    });

    it('keys with spaces, +, %, unicode and other punctuation round-trip and list by their decoded name', async () => {
      const dir = uniqueKey('odd');
      const names = [
        'with space.txt',
        'plus+sign',
        'per%cent',
        'ünïcödé/日本語.json',
        'quote\'"()!~*',
        'a=b&c;d,e@f$g',
      ];
      for (const name of names) {
        const key = `${dir}/${name}`;
        expect((await suite.client.put(key, name)).status, key).toBe(204);
        expect((await suite.client.get(key)).body.toString(), key).toBe(name);
      }
      const listing = await suite.client.list(`${dir}/`, '');
      expect([...listing.keys].sort()).toEqual(names.map((name) => `${dir}/${name}`).sort());
    });

    it('keys arrive raw in the path: #, a literal invalid escape, and the query split off at ?', async () => {
      const dir = uniqueKey('raw');
      const put = await rawRequest(
        suite.socketPath,
        `PUT /keys/${dir}/a#b%zz?ignored=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nraw`,
      );
      expect(put.status).toBe(204);
      expect((await suite.client.get(`${dir}/a#b%zz`)).body.toString()).toBe('raw');
      // Escapes decode (UTF-8 included), and %2F is a slash like a raw one.
      await suite.client.put(`${dir}/café`, 'utf8');
      const encoded = await suite.client.request({
        method: 'GET',
        path: `/keys/${dir.replace('/', '%2F')}/caf%C3%A9`,
      });
      expect(encoded.body.toString()).toBe('utf8');
    });

    it('raw non-ASCII bytes in the request line (not valid HTTP) are refused with a JSON 400', async () => {
      const res = await rawRequest(
        suite.socketPath,
        Buffer.concat([
          Buffer.from('GET /keys/caf'),
          Buffer.from('é'),
          Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n'),
        ]),
      );
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'bad_request' });
    });

    it('a long key round-trips; a key over 1024 bytes of UTF-8 is 400 bad_request', async () => {
      const dir = uniqueKey('long');
      const key = `${dir}/${'k'.repeat(200)}`;
      expect((await suite.client.put(key, 'x')).status).toBe(204);
      expect((await suite.client.get(key)).body.toString()).toBe('x');
      expectError(await suite.client.get('x'.repeat(1025)), 400, 'bad_request');
      // 513 characters, 1026 bytes: the limit counts bytes.
      expectError(await suite.client.get('é'.repeat(513)), 400, 'bad_request');
    });

    it('GET /meta lists attributes of an existing key; 404 for a missing key; 400 for an unknown attribute', async () => {
      const key = uniqueKey('meta');
      await suite.client.put(key, 'x');
      const list = await suite.client.getMeta(key);
      expect(list.status).toBe(200);
      expect(Array.isArray((json(list) as { attrs: unknown }).attrs)).toBe(true);
      expectError(await suite.client.getMeta(uniqueKey('meta-missing')), 404, 'key_not_found');
      expectError(await suite.client.getMeta(key, 'no_such_attribute'), 400, 'unsupported_attribute');
      expectError(await suite.client.setMeta(key, 'no_such_attribute', 'x'), 400, 'unsupported_attribute');
    });

    it('PUT /meta without attr, with bad JSON or without a string value is 400 bad_request', async () => {
      const key = uniqueKey('meta-bad');
      await suite.client.put(key, 'x');
      const path = `/meta/${key}`;
      expectError(
        await suite.client.request({ method: 'PUT', path, body: '{"value":"1"}' }),
        400,
        'bad_request',
      );
      expectError(
        await suite.client.request({ method: 'PUT', path: `${path}?attr=x`, body: '{oops' }),
        400,
        'bad_request',
      );
      expectError(
        await suite.client.request({ method: 'PUT', path: `${path}?attr=x`, body: '{"value":[1]}' }),
        400,
        'bad_request',
      );
    });
  });
}
