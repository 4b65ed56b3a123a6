/** The write condition a client asks for with If-None-Match / If-Match (docs/protocol.md#writing-a-key). */
import type { WriteCondition } from '../connector.js';
import { BadRequestError } from '../errors.js';
import { unquoteETag } from '../etags.js';

/** The write condition a client asked for with If-None-Match / If-Match, if any. */
export function conditionFromHeaders(headers: {
  ifNoneMatch: string | undefined;
  ifMatch: string | undefined;
}): WriteCondition | undefined {
  const { ifNoneMatch, ifMatch } = headers;
  if (ifNoneMatch !== undefined && ifMatch !== undefined) {
    throw new BadRequestError('send either If-None-Match or If-Match, not both');
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() !== '*') throw new BadRequestError('If-None-Match supports only *');
    return { kind: 'absent' };
  }
  if (ifMatch !== undefined) {
    if (ifMatch.trim() === '*' || ifMatch.includes(',')) {
      throw new BadRequestError('If-Match takes exactly one ETag');
    }
    const etag = unquoteETag(ifMatch);
    if (etag === '') throw new BadRequestError('If-Match is empty');
    return { kind: 'match', etag };
  }
  return undefined;
}
