/**
 * What a failed conditional write means (docs/s3-compatibility.md#race-losers-answering-500 and
 * #if-match-on-a-missing-key). The write itself is atomic on the server; this only decides how to
 * report its failure.
 */
import { ConflictError, type ETag, type WriteCondition } from '@state-proxy/connector-core';
import { isAmbiguous, isNotFound, isPreconditionFailure } from './errors.js';

/**
 * The conflict a failed conditional write means, or undefined when the failure stands as it is.
 * 412 / 409 → conflict. If-Match on a missing key (412 on RadosGW, 404 NoSuchKey on AWS) →
 * conflict. An ambiguous failure (RadosGW answers race losers with 500) → re-read the current
 * ETag: if it no longer satisfies the condition, someone else won: conflict; otherwise the
 * outage is the answer.
 */
export async function conflictOf(
  error: unknown,
  key: string,
  condition: WriteCondition,
  currentEtag: () => Promise<ETag | undefined>,
): Promise<ConflictError | undefined> {
  if (isPreconditionFailure(error)) return new ConflictError(key);
  if (condition.kind === 'match' && isNotFound(error))
    return new ConflictError(key, 'the key no longer exists');
  if (!isAmbiguous(error)) return undefined;
  let current: ETag | undefined;
  try {
    current = await currentEtag();
  } catch {
    return undefined; // still unreachable: the outage is the answer
  }
  const holds = condition.kind === 'absent' ? current === undefined : current === condition.etag;
  return holds ? undefined : new ConflictError(key);
}
