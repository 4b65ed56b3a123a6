/**
 * Streaming writes (a `streaming` variant gets the live request body): a chunked upload far larger
 * than any buffer goes through as it arrives and reads back byte for byte.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { uniqueKey } from '../testing/unique-key.js';
import type { Suite } from './suite.js';

const MiB = 1024 * 1024;
const UPLOAD_BYTES = 24 * MiB;

/** UPLOAD_BYTES of deterministic bytes in 64 KiB chunks, sent chunked (no Content-Length). */
function generated(): { stream: Readable; sha256: string } {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  for (let i = 0; i < UPLOAD_BYTES / (64 * 1024); i++) {
    const chunk = Buffer.alloc(64 * 1024, i % 251);
    hash.update(chunk);
    chunks.push(chunk);
  }
  return { stream: Readable.from(chunks), sha256: hash.digest('hex') };
}

export function streamingTests(suite: Suite): void {
  describe('streaming writes', () => {
    it(`a ${UPLOAD_BYTES / MiB} MiB chunked upload streams through and reads back byte for byte`, async () => {
      const key = uniqueKey('streamed');
      const body = generated();
      expect((await suite.client.put(key, body.stream)).status).toBe(204);
      const read = await suite.client.get(key);
      expect(read.status).toBe(200);
      expect(Number(read.headers['content-length'])).toBe(UPLOAD_BYTES);
      expect(createHash('sha256').update(read.body).digest('hex')).toBe(body.sha256);
    });
  });
}
