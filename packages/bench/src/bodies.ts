/**
 * Request bodies the container scenario streams without ever holding them whole: a large
 * pattern (so a 512 MiB PUT costs the bench 1 MiB at a time, not 512 MiB of its own memory) and a
 * slow client's trickle.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';

const CHUNK = 1024 * 1024;
const STAMP_EVERY = 64 * 1024;
const block = randomBytes(CHUNK);

export interface PatternBody {
  stream: Readable;
  /** CRC-32 of the bytes produced so far (all of them once the stream has ended). */
  crc(): number;
}

/**
 * `bytes` bytes in 1 MiB chunks, each a fresh copy of one random block with its chunk index
 * stamped every 64 KiB, so a GET that returns chunks out of order or repeated has another CRC.
 */
export function patternBody(bytes: number): PatternBody {
  let crc = 0;
  function* chunks() {
    for (let offset = 0, index = 0; offset < bytes; offset += CHUNK, index++) {
      const chunk = Buffer.from(block.subarray(0, Math.min(CHUNK, bytes - offset)));
      for (let at = 0; at + 8 <= chunk.length; at += STAMP_EVERY) chunk.writeDoubleLE(index, at);
      crc = crc32(chunk, crc);
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false, highWaterMark: CHUNK }), crc: () => crc };
}

/** `bytes` bytes, `chunkBytes` every `everyMs`: a client on a slow link. */
export function slowBody(bytes: number, chunkBytes: number, everyMs: number): Readable {
  async function* chunks() {
    for (let offset = 0; offset < bytes; offset += chunkBytes) {
      if (offset > 0) await new Promise((resolve) => setTimeout(resolve, everyMs));
      yield block.subarray(0, Math.min(chunkBytes, bytes - offset));
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}
