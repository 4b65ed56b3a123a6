/** Listing: keys and pseudo-directories, delimiters, byte order, de-duplication, prefixes. */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectError, json, type Suite, uniqueKey } from './suite.js';

export function listingTests(suite: Suite): void {
  describe('listing', () => {
    let base = '';
    const files = [
      'a.txt',
      'b.txt',
      'sub/c.txt',
      'sub/d.txt',
      'sub/deeper/e.txt',
      'sub2/f.txt',
      'B.txt',
      'ä.txt',
      'Z/g',
    ];

    beforeAll(async () => {
      base = uniqueKey('tree');
      for (const file of files) expect((await suite.client.put(`${base}/${file}`, file)).status).toBe(204);
    });

    it('lists direct keys and pseudo-directories under a prefix, sorted by byte order', async () => {
      const res = await suite.client.request({
        method: 'GET',
        path: `/keys/?prefix=${encodeURIComponent(`${base}/`)}`,
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(json(res)).toEqual({
        keys: [`${base}/B.txt`, `${base}/a.txt`, `${base}/b.txt`, `${base}/ä.txt`],
        prefixes: [`${base}/Z/`, `${base}/sub/`, `${base}/sub2/`],
      });
    });

    it('a pseudo-directory appears once however many keys it holds', async () => {
      const listing = await suite.client.list(`${base}/sub`);
      expect(listing).toEqual({ keys: [], prefixes: [`${base}/sub/`, `${base}/sub2/`] });
    });

    it('an empty delimiter lists every key under the prefix recursively', async () => {
      const listing = await suite.client.list(`${base}/sub/`, '');
      expect(listing).toEqual({
        keys: [`${base}/sub/c.txt`, `${base}/sub/d.txt`, `${base}/sub/deeper/e.txt`],
        prefixes: [],
      });
    });

    it('/keys without the slash is the same listing', async () => {
      const res = await suite.client.request({
        method: 'GET',
        path: `/keys?prefix=${encodeURIComponent(`${base}/sub/`)}`,
      });
      expect(json(res)).toEqual({
        keys: [`${base}/sub/c.txt`, `${base}/sub/d.txt`],
        prefixes: [`${base}/sub/deeper/`],
      });
    });

    it('the mount root lists top-level entries; an unknown prefix lists nothing', async () => {
      const root = await suite.client.list('');
      const top = `${base.split('/')[0]}/`;
      expect(root.prefixes).toContain(top);
      expect(root.keys.every((key) => !key.includes('/'))).toBe(true);
      expect(await suite.client.list(`${base}/nothing-here/`)).toEqual({ keys: [], prefixes: [] });
    });

    it('a deleted key leaves the listing', async () => {
      const dir = uniqueKey('shrink');
      await suite.client.put(`${dir}/one`, '1');
      await suite.client.put(`${dir}/two`, '2');
      await suite.client.delete(`${dir}/one`);
      expect((await suite.client.list(`${dir}/`)).keys).toEqual([`${dir}/two`]);
    });

    it('an invalid prefix is 400 bad_request', async () => {
      for (const prefix of ['/abs', 'a//b', 'a/../b', 'a/./b', 'bad\u0001']) {
        const res = await suite.client.request({
          method: 'GET',
          path: `/keys/?prefix=${encodeURIComponent(prefix)}`,
        });
        expectError(res, 400, 'bad_request');
      }
    });
  });
}
