// Listing against the real server: pages of ListObjectsV2 merged (keys and CommonPrefixes), the
// storage prefix stripped, byte order, and the early stop of `limit`.
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sortByBytes } from '@state-proxy/connector-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { directClient, freshBucket, type InProcessConnector, serveS3InProcess } from './testing/index.js';

const FILES = 700;
const DIRS = 700; // 1400 entries under one prefix: more than one 1000-entry page
const pad = (i: number) => String(i).padStart(4, '0');

let s3: S3Client;
let served: InProcessConnector;

/** Creates the objects directly in S3, a few dozen at a time. */
async function putAll(bucket: string, keys: string[]): Promise<void> {
  const queue = [...keys];
  const worker = async () => {
    for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

beforeAll(async () => {
  s3 = directClient();
  const bucket = await freshBucket('listing');
  const files = Array.from({ length: FILES }, (_, i) => `mount/mixed/f${pad(i)}`);
  const dirs = Array.from({ length: DIRS }, (_, i) => `mount/mixed/d${pad(i)}/inner`);
  // Outside the mount: must never show up.
  await putAll(bucket, [...files, ...dirs, 'mount-other/mixed/f0000', 'mixed/f0000']);
  served = await serveS3InProcess(bucket, 'mount/');
});
afterAll(async () => {
  s3?.destroy();
  await served?.stop();
});

it('merges keys and prefixes across pages, relative to the mount, in byte order', async () => {
  const listing = await served.client.list('mixed/');
  expect(listing.keys).toEqual(Array.from({ length: FILES }, (_, i) => `mixed/f${pad(i)}`));
  expect(listing.prefixes).toEqual(Array.from({ length: DIRS }, (_, i) => `mixed/d${pad(i)}/`));
});

it('an empty delimiter lists every key recursively', async () => {
  const listing = await served.client.list('mixed/', '');
  expect(listing.prefixes).toEqual([]);
  expect(listing.keys).toHaveLength(FILES + DIRS);
  expect(listing.keys).toEqual(sortByBytes(listing.keys));
  expect(listing.keys).toContain('mixed/d0699/inner');
});

it('the mount root shows only the mount', async () => {
  expect(await served.client.list('')).toEqual({ keys: [], prefixes: ['mixed/'] });
});

it('limit stops after the first page that satisfies it', async () => {
  const listing = await served.connector.list({ prefix: 'mixed/', delimiter: '/', limit: 3 });
  expect(listing.keys.length + listing.prefixes.length).toBeGreaterThanOrEqual(3);
  expect(listing.keys.length + listing.prefixes.length).toBeLessThan(FILES + DIRS);
});

it('a directory with more than one page of children is a directory for HEAD', async () => {
  const head = await served.client.head('mixed');
  expect(head.status).toBe(204);
  expect(head.headers['x-is-file']).toBe('false');
});
