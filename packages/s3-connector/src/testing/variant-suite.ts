/**
 * The tests every S3 variant runs against the real server: the core conformance suite (with its
 * backend faults through a proxy in front of the server), and beside it races checked in the
 * bucket itself, the values of the extended attributes, and credentials the server refuses.
 */

import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeConformance, describeStandaloneBundle } from '@state-proxy/connector-core/conformance';
import { ConnectorClient, type SpawnedConnector } from '@state-proxy/connector-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3_ATTRIBUTES } from '../attribute-names.js';
import { accessTests } from './access-tests.js';
import { directClient, freshBucket, s3Server } from './backend.js';
import { s3Env, startVariant, type VariantUnderTest } from './connectors.js';

export { accessTests };

let counter = 0;
export function testKey(name: string): string {
  counter += 1;
  return `k${counter}/${name}`;
}

export function errorCode(res: { body: Buffer }): string | undefined {
  return (JSON.parse(res.body.toString()) as { error?: string }).error;
}

export async function storedBytes(s3: S3Client, bucket: string, objectKey: string): Promise<string> {
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
  return (await res.Body?.transformToString()) ?? '';
}

/** Conformance + S3 specifics for one variant, on a bucket of its own. */
export function describeS3Variant(variant: VariantUnderTest): void {
  describe(variant.name, () => {
    let bucket = '';
    beforeAll(async () => {
      bucket = await freshBucket(variant.name);
    });

    describeConformance({
      name: variant.name,
      start: (env) => startVariant(variant, bucket, env),
      features: {
        variant,
        ...(variant.volume && { volume: variant.volume }),
        faults: {
          get backend() {
            const { hostname, port } = new URL(s3Server().endpoint);
            return { host: hostname, port: Number(port || 80) };
          },
          start: (endpoint, env) =>
            startVariant(variant, bucket, {
              ...s3Env(bucket, `http://${endpoint.host}:${endpoint.port}`),
              // One retry at most: a hung server answers within twice the timeout.
              STATE_BACKEND_MAX_ATTEMPTS: '2',
              ...env,
            }),
        },
      },
    });

    describeStandaloneBundle({
      name: variant.name,
      entry: variant.entry,
      // Nothing listens on port 1: the connector must serve anyway and report itself not ready.
      env: {
        STATE_BUCKET: 'bundle-check',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        STATE_BACKEND_TIMEOUT_MS: '500',
        STATE_BACKEND_MAX_ATTEMPTS: '1',
      },
      readyStatus: 503,
    });

    describe('against the bucket', () => {
      let connector: SpawnedConnector & { prefix: string };
      let client: ConnectorClient;
      let s3: S3Client;
      const objectKey = (key: string) => `${connector.prefix}/${key}`;

      beforeAll(async () => {
        connector = await startVariant(variant, bucket);
        client = new ConnectorClient(connector.socketPath);
        s3 = directClient();
      });
      afterAll(async () => {
        client?.close();
        s3?.destroy();
        await connector?.stop();
      });

      it('8 racing exclusive creates: one 204, seven 409, and the bucket holds the winner', async () => {
        const key = testKey('race');
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => client.put(key, `writer-${i}`, { ifNoneMatch: '*' })),
        );
        expect(results.map((r) => r.status).sort()).toEqual([204, 409, 409, 409, 409, 409, 409, 409]);
        expect(results.filter((r) => r.status === 409).map(errorCode)).toEqual(Array(7).fill('conflict'));
        const winner = results.findIndex((r) => r.status === 204);
        expect(await storedBytes(s3, bucket, objectKey(key))).toBe(`writer-${winner}`);
      });

      it('a stale If-Match is 409 and leaves the newer object in place', async () => {
        const key = testKey('stale');
        const v1 = await client.put(key, 'v1');
        expect((await client.put(key, 'v2')).status).toBe(204);
        const stale = await client.put(key, 'v3', { ifMatch: v1.headers.etag as string });
        expect([stale.status, errorCode(stale)]).toEqual([409, 'conflict']);
        expect(await storedBytes(s3, bucket, objectKey(key))).toBe('v2');
      });

      describe('extended attributes', () => {
        const value = async (key: string, attr: string) => {
          const res = await client.getMeta(key, attr);
          expect(res.status).toBe(200);
          return (JSON.parse(res.body.toString()) as { value: string }).value;
        };

        it('lists and reads every attribute with the values S3 holds', async () => {
          const key = testKey('attrs');
          const put = await client.put(key, 'hello attributes');
          const list = await client.getMeta(key);
          expect(list.status).toBe(200);
          expect((JSON.parse(list.body.toString()) as { attrs: string[] }).attrs.sort()).toEqual([
            'content_type',
            'etag',
            'presigned_url',
            'size',
            'storage_class',
            'url',
            'version',
          ]);
          expect(await value(key, 'url')).toBe(`s3://${bucket}/${objectKey(key)}`);
          expect(`"${await value(key, 'etag')}"`).toBe(put.headers.etag);
          expect(await value(key, 'size')).toBe('16');
          expect(await value(key, 'storage_class')).toBe('STANDARD');
          expect((await value(key, 'version')).length).toBeGreaterThan(0);
          const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
          expect(await value(key, 'content_type')).toBe(head.ContentType ?? 'application/octet-stream');
        });

        it('presigned_url is a working GET URL', async () => {
          const key = testKey('presigned file');
          await client.put(key, 'signed bytes');
          const url = await value(key, 'presigned_url');
          expect(url).toMatch(/X-Amz-Expires=3600/);
          const res = await fetch(url);
          expect(res.status).toBe(200);
          expect(await res.text()).toBe('signed bytes');
        });

        it('read-only is 403, unknown is 400, a missing key is 404 for every attribute', async () => {
          const key = testKey('attr-errors');
          await client.put(key, 'x');
          for (const attr of ['url', 'presigned_url', 'etag', 'version', 'storage_class', 'size']) {
            const res = await client.setMeta(key, attr, 'v');
            expect([attr, res.status, errorCode(res)]).toEqual([attr, 403, 'permission_denied']);
          }
          for (const res of [await client.getMeta(key, 'nope'), await client.setMeta(key, 'nope', 'v')]) {
            expect([res.status, errorCode(res)]).toEqual([400, 'unsupported_attribute']);
          }
          const missing = testKey('never-written');
          expect((await client.getMeta(missing)).status).toBe(404);
          for (const attr of S3_ATTRIBUTES) {
            const read = await client.getMeta(missing, attr);
            const write = await client.setMeta(missing, attr, 'text/plain');
            expect([attr, read.status, write.status]).toEqual([attr, 404, 404]);
          }
        });

        it('content_type is writable; the next plain write does not conflict with it', async () => {
          const key = testKey('content-type');
          await client.put(key, 'v1');
          expect((await client.get(key)).status).toBe(200); // remembered by the CAS variant
          expect((await client.setMeta(key, 'content_type', 'text/plain; charset=utf-8')).status).toBe(204);
          expect(await value(key, 'content_type')).toBe('text/plain; charset=utf-8');
          const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
          expect(head.ContentType).toBe('text/plain; charset=utf-8');
          expect(await storedBytes(s3, bucket, objectKey(key))).toBe('v1');
          expect((await client.put(key, 'v2')).status).toBe(204);
          expect((await client.get(key)).body.toString()).toBe('v2');
        });

        it('content_type after another writer changed the object: 409 on CAS, relabels on LWW', async () => {
          const key = testKey('content-type-race');
          await client.put(key, 'mine');
          expect((await client.get(key)).status).toBe(200); // remembered by the CAS variant
          await s3.send(new PutObjectCommand({ Bucket: bucket, Key: objectKey(key), Body: 'theirs' }));
          const res = await client.setMeta(key, 'content_type', 'text/plain');
          const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
          if (variant.consistency === 'cas') {
            expect([res.status, errorCode(res)]).toEqual([409, 'conflict']);
            expect(head.ContentType).not.toBe('text/plain');
          } else {
            expect(res.status).toBe(204);
            expect(head.ContentType).toBe('text/plain');
          }
          expect(await storedBytes(s3, bucket, objectKey(key))).toBe('theirs');
        });

        it('a bad content_type value is 400', async () => {
          const key = testKey('bad-content-type');
          await client.put(key, 'x');
          const res = await client.setMeta(key, 'content_type', '');
          expect([res.status, errorCode(res)]).toEqual([400, 'bad_request']);
        });
      });
    });

    accessTests(variant, () => bucket);
  });
}
