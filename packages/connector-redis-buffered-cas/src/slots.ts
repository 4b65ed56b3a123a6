/**
 * Redis Cluster's hash slots, computed as the server does (cluster.c keyHashSlot): CRC16-XMODEM of
 * the key's bytes, modulo 16384; of only the part between the first '{' and the first '}' after
 * it when that part is not empty (a "hash tag"), else of the whole key.
 *
 * The connector needs it for one thing: a chunked write's temporary upload key must be in the
 * same slot as the key it replaces, since the script that commits it names both (a Cluster
 * refuses a script whose keys span slots, CROSSSLOT). See sameSlotSuffix.
 */

export const SLOTS = 16384;

/**
 * The CRC16 table, made on first use (a chunked write), not at start-up: made when the module
 * loaded, its 2048 loop iterations brought 5 MiB more of the node binary's pages into about half
 * the cold starts of a one-server connector (measured; V8 compiling the hot loop, presumably).
 */
let table: Uint16Array | undefined;

function crcTable(): Uint16Array {
  if (table) return table;
  table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[byte] = crc & 0xffff;
  }
  return table;
}

/** CRC16-XMODEM (polynomial 0x1021, no reflection) of `bytes`, continuing from `crc`. */
export function crc16(bytes: Uint8Array, crc = 0): number {
  const lookup = crcTable();
  let value = crc;
  for (const byte of bytes) value = ((value << 8) & 0xff00) ^ lookup[((value >> 8) ^ byte) & 0xff]!;
  return value;
}

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

/** The bytes Redis hashes: the hash tag's, or the whole key's when it has none. */
export function hashedPart(key: Uint8Array): Uint8Array {
  const open = key.indexOf(OPEN);
  if (open === -1) return key;
  const close = key.indexOf(CLOSE, open + 1);
  if (close === -1 || close === open + 1) return key;
  return key.subarray(open + 1, close);
}

export function keySlot(key: string | Uint8Array): number {
  return crc16(hashedPart(typeof key === 'string' ? Buffer.from(key) : key)) % SLOTS;
}

/**
 * What to append to `prefix`, the beginning of a name for a key in `key`'s slot, so that the
 * whole name is in that slot. `prefix` must start with `key` and add no '{' or '}'. Then:
 * - `key` has a hash tag: the name's first '{' and the first '}' after it are `key`'s, so the name
 *   has the same tag, whatever follows: nothing to append;
 * - it has none (no '{'; a '{' with no '}' after it; or a first '{' right before a '}', an empty
 *   tag, after which Redis looks no further): neither has the name, which is hashed whole. Four
 *   characters from '@' to 'O' (0x40 + a nibble) then make its CRC16 land in the slot. CRC16 is
 *   affine in its input, so from any starting CRC the 2^16 such endings reach each of the 16384
 *   slots exactly four times (slots.unit.test.ts counts them). The search below tries them in order
 *   and stops at the first: about 13 000 tries on average, a fraction of a millisecond, once per
 *   chunked write (values over 256 KiB).
 */
export function sameSlotSuffix(key: string, prefix: string): string {
  const keyBytes = Buffer.from(key);
  if (hashedPart(keyBytes) !== keyBytes) return '';
  const target = crc16(keyBytes) % SLOTS;
  const start = crc16(Buffer.from(prefix));
  const ending = new Uint8Array(4);
  for (let nibbles = 0; nibbles < 0x10000; nibbles++) {
    for (let i = 0; i < 4; i++) ending[i] = 0x40 | ((nibbles >> (12 - 4 * i)) & 0xf);
    if (crc16(ending, start) % SLOTS === target) return String.fromCharCode(...ending);
  }
  throw new Error('unreachable: every slot has four endings'); // slots.test.ts proves it
}
