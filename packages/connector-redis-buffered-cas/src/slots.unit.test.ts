/**
 * Hash slots without a server (cluster.test.ts checks the same against a real one's CLUSTER KEYSLOT):
 * the hash tag rules, and that an upload key lands in its key's slot for every kind of key.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { uploadKeyFor } from './large-values.js';
import { crc16, hashedPart, keySlot, SLOTS, sameSlotSuffix } from './slots.js';
import { BRACE_KEYS } from './testing/brace-keys.js';

describe('hash slots', () => {
  it('CRC16 is XMODEM: the check value of "123456789" is 0x31C3', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x31c3);
  });

  it("hashes the first non-empty {tag}, else the whole key (Redis Cluster spec's examples)", () => {
    const part = (key: string) => Buffer.from(hashedPart(Buffer.from(key))).toString();
    expect(part('{user1000}.following')).toBe('user1000');
    expect(part('foo{}{bar}')).toBe('foo{}{bar}');
    expect(part('foo{{bar}}zap')).toBe('{bar');
    expect(part('foo{bar}{zap}')).toBe('bar');
    expect(part('a{b')).toBe('a{b');
    expect(part('}{')).toBe('}{');
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
  });

  it('the 2^16 four-character endings reach each of the 16384 slots four times, from any start', () => {
    // CRC16 is affine in its input: crc(start, ending) = crc(start, '@@@@') XOR crc(0, ending XOR
    // '@@@@'), so what holds for one start holds for every start (a few are checked anyway): the
    // endings' CRCs are a translate of one subspace, whose low 14 bits (the slot) take every value.
    for (const start of [0, 0xffff, 0x1234, crc16(randomBytes(40))]) {
      const hits = new Uint8Array(SLOTS);
      const ending = new Uint8Array(4);
      for (let nibbles = 0; nibbles < 0x10000; nibbles++) {
        for (let i = 0; i < 4; i++) ending[i] = 0x40 | ((nibbles >> (12 - 4 * i)) & 0xf);
        hits[crc16(ending, start) % SLOTS]! += 1;
      }
      expect(hits.every((count) => count === 4)).toBe(true);
    }
  });

  it('an upload key is in its key’s slot, braces or not, and starts with the key and a NUL', () => {
    const random = Array.from(
      { length: 300 },
      () => `p:${randomBytes(1 + (randomBytes(1)[0]! % 40)).toString('latin1')}`,
    );
    for (const key of [...BRACE_KEYS, ...random]) {
      const upload = uploadKeyFor(key);
      expect({ key, slot: keySlot(upload) }).toEqual({ key, slot: keySlot(key) });
      expect(upload.startsWith(`${key}\u0000upload-`)).toBe(true);
      expect(upload.slice(key.length)).not.toMatch(/[{}]/);
    }
  });

  it('the name before the ending would miss the slot of most keys without a tag (the scheme before)', () => {
    const missed = BRACE_KEYS.filter(
      (key) => keySlot(`${key}\u0000upload-0123456789abcdef-`) !== keySlot(key),
    );
    expect(missed.length).toBeGreaterThan(BRACE_KEYS.length / 2);
    expect(sameSlotSuffix('p:{tag}x', 'p:{tag}x\u0000upload-')).toBe('');
    expect(SLOTS).toBe(16384);
  });
});
