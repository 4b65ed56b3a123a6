/** The `ttl` attribute's value, for every connector that has one: whole seconds, as Redis EXPIRE takes them. */
import { BadRequestError } from './errors.js';

/** An integer number of seconds (zero or negative: expire now); BadRequestError otherwise. */
export function parseTtlSeconds(value: string): number {
  const trimmed = value.trim();
  if (!/^-?\d+$/.test(trimmed))
    throw new BadRequestError(`ttl must be an integer number of seconds, got '${value}'`);
  const seconds = Number(trimmed);
  if (!Number.isSafeInteger(seconds)) throw new BadRequestError(`ttl is out of range: '${value}'`);
  return seconds;
}
