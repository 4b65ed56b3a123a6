// S3_IF_MATCH_FORMAT against the real server. RadosGW (and DigitalOcean Spaces) match only the
// bare ETag (docs/s3-compatibility.md#if-match-quoting), which is why 'unquoted' is the default;
// MinIO and AWS accept the quoted RFC form too.
import { Readable } from 'node:stream';
import { ConflictError, type WriteBody } from '@state-proxy/connector-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshBucket, type InProcessConnector, s3Server, serveS3InProcess } from './testing/index.js';

const body = (text: string): WriteBody => ({
  length: Buffer.byteLength(text),
  stream: () => Readable.from([Buffer.from(text)]),
  buffer: async () => Buffer.from(text),
});

let unquoted: InProcessConnector;
let quoted: InProcessConnector;
beforeAll(async () => {
  const bucket = await freshBucket('if-match');
  unquoted = await serveS3InProcess(bucket, 'p');
  quoted = await serveS3InProcess(bucket, 'p', 'buffered', { S3_IF_MATCH_FORMAT: 'quoted' });
});
afterAll(async () => {
  await Promise.all([unquoted?.stop(), quoted?.stop()]);
});

it('unquoted (default): a current ETag matches, a stale one conflicts', async () => {
  const { etag } = await unquoted.connector.write('u', body('v1'));
  const next = await unquoted.connector.write('u', body('v2'), { kind: 'match', etag });
  await expect(unquoted.connector.write('u', body('v3'), { kind: 'match', etag })).rejects.toBeInstanceOf(
    ConflictError,
  );
  expect(next.etag).not.toBe(etag);
});

it('quoted: works where the server accepts the RFC form; RadosGW refuses it', async () => {
  const { etag } = await quoted.connector.write('q', body('v1'));
  const write = quoted.connector.write('q', body('v2'), { kind: 'match', etag });
  if (s3Server().kind === 'rgw') await expect(write).rejects.toBeInstanceOf(ConflictError);
  else expect((await write).etag).not.toBe(etag);
});
