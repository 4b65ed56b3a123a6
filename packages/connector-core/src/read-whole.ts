/** Reading a stream whose length is known (a declared body, a backend's answer) into one buffer. */
import { countTransferred } from './release-memory.js';

/** The stream did not carry the number of bytes it announced. */
export class LengthMismatchError extends Error {}

/**
 * Copies `source` into one buffer of exactly `length` bytes: one allocation of the right size
 * instead of collected chunks and a concatenation. LengthMismatchError if it carries more or fewer.
 */
export async function readWhole(source: AsyncIterable<Buffer | string>, length: number): Promise<Buffer> {
  const whole = Buffer.allocUnsafe(length);
  let filled = 0;
  for await (const raw of source) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    countTransferred(chunk.length);
    if (filled + chunk.length > length)
      throw new LengthMismatchError(`more than the announced ${length} bytes`);
    chunk.copy(whole, filled);
    filled += chunk.length;
  }
  if (filled !== length)
    throw new LengthMismatchError(`ended after ${filled} of the announced ${length} bytes`);
  return whole;
}
