/** The extended attributes a variant declares (docs/attributes.md): listed, and no others. */
import { describe, expect, it } from 'vitest';
import { uniqueKey } from '../testing/unique-key.js';
import { expectError, json, type Suite } from './suite.js';

export function attributeTests(suite: Suite): void {
  const declared = suite.features.variant.attributes;
  describe('extended attributes', () => {
    it(`an existing key lists the declared ones: ${declared.join(', ') || 'none'}`, async () => {
      const key = uniqueKey('attrs');
      await suite.client.put(key, 'x');
      const res = await suite.client.getMeta(key);
      expect(res.status).toBe(200);
      expect([...(json(res) as { attrs: string[] }).attrs].sort()).toEqual([...declared].sort());
    });

    it('a missing key is 404 for listing them', async () => {
      expectError(await suite.client.getMeta(uniqueKey('attrs-missing')), 404, 'key_not_found');
    });

    it('an attribute the variant does not declare is 400 unsupported_attribute, read or written', async () => {
      const key = uniqueKey('attrs-other');
      await suite.client.put(key, 'x');
      expectError(await suite.client.getMeta(key, 'no_such_attribute'), 400, 'unsupported_attribute');
      expectError(await suite.client.setMeta(key, 'no_such_attribute', 'v'), 400, 'unsupported_attribute');
    });
  });
}
