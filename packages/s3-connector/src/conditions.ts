/**
 * What a failed conditional write means (docs/s3-compatibility.md#race-losers-answering-500 and
 * #if-match-on-a-missing-key). The write itself is atomic on the server; this only decides how to
 * report its failure.
 */
import {
  ConflictError,
  type ConnectorError,
  type ETag,
  type WriteCondition,
} from '@state-proxy/connector-core';
import { isAmbiguous, isNotFound, isPreconditionFailure, translateS3Error } from './errors.js';

/**
 * 412 / 409 → conflict. If-Match on a missing key (412 on RadosGW, 404 NoSuchKey on AWS) →
 * conflict. An ambiguous failure (RadosGW answers race losers with 500) → re-read the current
 * ETag: if it no longer satisfies the condition, someone else won: conflict; otherwise report the
 * outage as it is.
 */
export async function explainConditionalFailure(
  error: unknown,
  key: string,
  condition: WriteCondition,
  currentEtag: () => Promise<ETag | undefined>,
): Promise<ConnectorError> {
  if (isPreconditionFailure(error)) return new ConflictError(key);
  if (condition.kind === 'match' && isNotFound(error))
    return new ConflictError(key, 'the key no longer exists');
  const translated = translateS3Error(error, key);
  if (!isAmbiguous(error)) return translated;
  let current: ETag | undefined;
  try {
    current = await currentEtag();
  } catch {
    return translated; // still unreachable: the outage is the answer
  }
  const holds = condition.kind === 'absent' ? current === undefined : current === condition.etag;
  return holds ? translated : new ConflictError(key);
}
