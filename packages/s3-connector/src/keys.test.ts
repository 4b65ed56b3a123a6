// Key mapping against the real server: `{STATE_PREFIX}/{key}` exactly, prefixes isolated from each
// other (even when one is a string prefix of the other), and keys with awkward characters.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directClient, freshBucket, type InProcessConnector, serveS3InProcess } from './testing/index.js';

const AWKWARD = [
  'with space/a b.txt',
  'plus+sign',
  'percent%41literal',
  'percent%zz-invalid-escape',
  'unicode/日本語/ключ-ü.txt',
  'emoji-🎉',
  "quote\"s and 'apostrophes'",
  'hash#and?question',
  'tilde~star*(parens)&amp=eq;semi,comma',
];

let s3: S3Client;
let bucket: string;
let a: InProcessConnector;
let ab: InProcessConnector;
let root: InProcessConnector;

async function objectKeys(prefix: string): Promise<string[]> {
  const res = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key ?? '').sort();
}

beforeAll(async () => {
  s3 = directClient();
  bucket = await freshBucket('keys');
  a = await serveS3InProcess(bucket, 'team-a//');
  ab = await serveS3InProcess(bucket, 'team-ab');
  root = await serveS3InProcess(bucket, '');
});
afterAll(async () => {
  s3?.destroy();
  await Promise.all([a?.stop(), ab?.stop(), root?.stop()]);
});

describe('awkward keys', () => {
  it.each(AWKWARD)('%s: put, get, head, list, delete', async (key) => {
    expect((await a.client.put(key, `value of ${key}`)).status).toBe(204);
    expect((await a.client.get(key)).body.toString()).toBe(`value of ${key}`);
    expect((await a.client.head(key)).status).toBe(204);
    expect(await objectKeys(`team-a/${key}`)).toContain(`team-a/${key}`);
    const parent = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    expect((await a.client.list(parent)).keys).toContain(key);
    expect((await a.client.delete(key)).status).toBe(204);
    expect((await a.client.get(key)).status).toBe(404);
  });
});

describe('prefix isolation', () => {
  it('the trailing slash of STATE_PREFIX is trimmed: no double slash in the bucket', async () => {
    await a.client.put('iso/one', '1');
    expect(await objectKeys('team-a/iso/')).toEqual(['team-a/iso/one']);
  });

  it('two prefixes do not see each other, even when one string-prefixes the other', async () => {
    await a.client.put('shared-name', 'from a');
    await ab.client.put('shared-name', 'from ab');
    expect((await a.client.get('shared-name')).body.toString()).toBe('from a');
    expect((await ab.client.get('shared-name')).body.toString()).toBe('from ab');
    expect((await ab.client.list('', '')).keys).toEqual(['shared-name']);
    expect((await a.client.list('')).keys).toContain('shared-name');
    expect((await a.client.list('', '')).keys.every((k) => !k.startsWith('b/'))).toBe(true);
    expect((await ab.client.delete('iso/one')).status).toBe(404);
  });

  it('a connector without a prefix sees the mounts as directories', async () => {
    const listing = await root.client.list('');
    expect(listing.prefixes).toEqual(expect.arrayContaining(['team-a/', 'team-ab/']));
    expect((await root.client.get('team-a/shared-name')).body.toString()).toBe('from a');
  });
});
