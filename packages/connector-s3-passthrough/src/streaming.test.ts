// s3-passthrough streams bodies into S3 as they arrive: large chunked bodies go multipart and read
// back identical; a client that disconnects, stalls, sends a body over the limit, or is cut by the
// shutdown grace leaves no object and no multipart upload behind.

import { request } from 'node:http';
import { HeadObjectCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { MiB } from '@state-proxy/connector-core';
import { ConnectorClient, encodeKey, type SpawnedConnector } from '@state-proxy/connector-core/testing';
import {
  chunkedPut,
  directClient,
  freshBucket,
  generatedBody,
  hashedGet,
  s3Server,
  startVariant,
} from '@state-proxy/s3-connector/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { underTest as variant } from './under-test.js';

const BIG = 256 * MiB;
const PART = 8 * MiB;

let bucket: string;
let connector: SpawnedConnector & { prefix: string };
let client: ConnectorClient;
let s3: S3Client;
const objectKey = (key: string) => `${connector.prefix}/${key}`;

async function pendingUploads(key: string): Promise<number> {
  return pendingUploadsUnder(objectKey(key));
}

async function pendingUploadsUnder(prefix: string): Promise<number> {
  const res = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }));
  return (res.Uploads ?? []).length;
}

async function exists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return false;
    throw error;
  }
}

/** Starts a chunked PUT fed by hand; returns a writer that respects backpressure, and the request. */
function manualUpload(socketPath: string, key: string) {
  const req = request({
    socketPath,
    method: 'PUT',
    path: `/keys/${encodeKey(key)}`,
    headers: { 'transfer-encoding': 'chunked' },
  });
  const response = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0)); // the connection was closed under us
  });
  let answered = false;
  void response.then(() => {
    answered = true;
  });
  /** Writes up to `bytes`, stopping early once the server has answered (e.g. 413) or hung up. */
  const write = async (bytes: number) => {
    for (let sent = 0; sent < bytes && !answered && !req.destroyed; sent += MiB) {
      if (!req.write(Buffer.alloc(MiB, sent & 0xff))) {
        await Promise.race([new Promise((resolve) => req.once('drain', resolve)), response]);
      }
    }
  };
  return { req, response, write };
}

beforeAll(async () => {
  bucket = await freshBucket('passthrough');
  connector = await startVariant(variant, bucket, { STATE_PART_SIZE_BYTES: String(PART) });
  client = new ConnectorClient(connector.socketPath);
  s3 = directClient();
});
afterAll(async () => {
  client?.close();
  s3?.destroy();
  await connector?.stop();
});

describe('streaming writes', () => {
  it(`a ${BIG / MiB} MiB chunked PUT goes multipart and reads back with the same SHA-256`, async () => {
    const key = 'big/generated.bin';
    const body = generatedBody(BIG);
    const put = await chunkedPut(connector.socketPath, `/keys/${key}`, body.stream);
    expect(put.status).toBe(204);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey(key) }));
    expect(head.ContentLength).toBe(BIG);
    expect(head.ETag).toMatch(/-\d+"$/); // a multipart object
    expect(put.etag).toBe(head.ETag); // RadosGW's empty completion ETag was replaced
    const got = await hashedGet(connector.socketPath, `/keys/${key}`);
    expect(got).toEqual({ status: 200, contentLength: BIG, bytes: BIG, sha256: body.sha256() });
  });

  it.each([
    [0, 'one PutObject'],
    [PART, 'one PutObject'],
    [PART + 1, 'multipart'],
    [2 * PART, 'multipart'],
  ])(
    'part boundaries: a chunked body of %i bytes is stored as %s and reads back intact',
    async (size, how) => {
      const key = `boundary/${size}`;
      const body = generatedBody(size);
      const put = await chunkedPut(connector.socketPath, `/keys/${key}`, body.stream);
      expect(put.status).toBe(204);
      expect(/-\d+"$/.test(put.etag ?? '')).toBe(how === 'multipart');
      const got = await hashedGet(connector.socketPath, `/keys/${key}`);
      expect(got).toEqual({ status: 200, contentLength: size, bytes: size, sha256: body.sha256() });
    },
  );

  it('a small body with a Content-Length is one PutObject', async () => {
    const key = 'small/one-put';
    const put = await client.put(key, 'small body');
    expect(put.status).toBe(204);
    expect(put.headers.etag).not.toMatch(/-\d+"$/);
    expect((await client.get(key)).body.toString()).toBe('small body');
  });

  it('a client that disconnects mid-upload leaves no object and no multipart upload', async () => {
    const key = 'aborted/upload.bin';
    const upload = manualUpload(connector.socketPath, key);
    await upload.write(3 * PART);
    // Parts are on their way: the multipart upload exists before the client goes away.
    await vi.waitFor(async () => expect(await pendingUploads(key)).toBe(1), {
      timeout: 30_000,
      interval: 100,
    });
    upload.req.destroy();
    expect(await upload.response).toBe(0);
    await vi.waitFor(async () => expect(await pendingUploads(key)).toBe(0), {
      timeout: 30_000,
      interval: 100,
    });
    expect(await exists(key)).toBe(false);
    expect((await client.request({ method: 'GET', path: '/healthz' })).status).toBe(200);
  });

  it('a chunked body over STATE_MAX_BODY_BYTES is 413 and its multipart upload is aborted', async () => {
    const limited = await startVariant(variant, bucket, {
      STATE_PART_SIZE_BYTES: String(PART),
      STATE_MAX_BODY_BYTES: String(3 * PART),
    });
    try {
      const key = 'limited/too-big.bin';
      const upload = manualUpload(limited.socketPath, key);
      const objectKeyHere = `${limited.prefix}/${key}`;
      await upload.write(3 * PART + MiB);
      upload.req.end();
      expect([413, 0]).toContain(await upload.response);
      await vi.waitFor(
        async () => {
          const res = await s3.send(
            new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: objectKeyHere }),
          );
          expect(res.Uploads ?? []).toEqual([]);
        },
        { timeout: 30_000, interval: 100 },
      );
      const res = await new ConnectorClient(limited.socketPath).get(key);
      expect(res.status).toBe(404);
    } finally {
      await limited.stop();
    }
  });
});

describe('exclusive create on the multipart path', () => {
  it('If-None-Match: * with a multipart-sized body is 409 when the key exists', async () => {
    const key = 'exclusive/multipart.bin';
    expect((await client.put(key, 'first')).status).toBe(204);
    const second = await client.put(key, generatedBody(2 * PART + 1).stream, { ifNoneMatch: '*' });
    expect(second.status).toBe(409);
    expect((await client.get(key)).body.toString()).toBe('first');
  });

  it('racing multipart exclusive creates: one winner where the server conditions the completion', async () => {
    const key = 'exclusive/multipart-race.bin';
    const results = await Promise.all(
      [1, 2, 3].map(() => client.put(key, generatedBody(2 * PART + 1).stream, { ifNoneMatch: '*' })),
    );
    const statuses = results.map((r) => r.status).sort();
    if (s3Server().kind === 'rgw') {
      // RadosGW ignores If-None-Match on CompleteMultipartUpload
      // (docs/s3-compatibility.md#completemultipartupload-ignores-if-none-match): racers that all
      // pass the early check may all complete. Each answer is still a clean 204 or 409.
      expect(statuses.every((s) => s === 204 || s === 409)).toBe(true);
      expect(statuses).toContain(204);
    } else {
      expect(statuses).toEqual([204, 409, 409]);
    }
    expect((await hashedGet(connector.socketPath, `/keys/${key}`)).bytes).toBe(2 * PART + 1);
  });
});

describe('a memory budget smaller than one part', () => {
  async function tightConnector(waitMs: number) {
    const tight = await startVariant(variant, bucket, {
      STATE_PART_SIZE_BYTES: String(PART),
      STATE_MEMORY_BUDGET_BYTES: String(MiB),
      STATE_MEMORY_WAIT_MS: String(waitMs),
    });
    const tightClient = new ConnectorClient(tight.socketPath);
    const held = async () => {
      const text = (await tightClient.request({ method: 'GET', path: '/metrics' })).body.toString();
      return Number(/^state_proxy_body_memory_held_bytes (\d+)$/m.exec(text)?.[1]);
    };
    const stop = async () => {
      tightClient.close();
      await tight.stop();
    };
    return { tight, tightClient, held, stop };
  }

  it('while an upload holds it, small bodies stream through and a second upload waits, then is 503', async () => {
    const { tight, tightClient, held, stop } = await tightConnector(300);
    try {
      // The holder's first part buffer takes the whole budget until the upload ends.
      const holder = manualUpload(tight.socketPath, 'tight/holder');
      await holder.write(2 * MiB);
      await vi.waitFor(async () => expect(await held()).toBe(MiB), { timeout: 10_000, interval: 20 });
      const small = Buffer.alloc(300 * 1024, 's');
      expect((await tightClient.put('tight/small', small)).status).toBe(204);
      const waited = await tightClient.put('tight/waited', generatedBody(PART + 1).stream);
      expect(waited.status).toBe(503);
      expect(waited.headers['retry-after']).toBe('1');
      expect(JSON.parse(waited.body.toString()).error).toBe('unavailable');
      holder.req.end();
      expect(await holder.response).toBe(204);
      expect(await held()).toBe(0);
      expect((await tightClient.get('tight/small')).body.equals(small)).toBe(true);
      expect((await tightClient.get('tight/waited')).status).toBe(404);
      expect(await pendingUploadsUnder(`${tight.prefix}/tight/`)).toBe(0);
    } finally {
      await stop();
    }
  });

  it('concurrent uploads queue for it one after the other and all complete intact', async () => {
    const { tight, tightClient, held, stop } = await tightConnector(30_000);
    try {
      const bodies = [1, 2, 3].map(() => generatedBody(PART + 1));
      const puts = await Promise.all(bodies.map((body, i) => tightClient.put(`queued/${i}`, body.stream)));
      expect(puts.map((put) => put.status)).toEqual([204, 204, 204]);
      for (const [i, body] of bodies.entries()) {
        expect((await hashedGet(tight.socketPath, `/keys/queued/${i}`)).sha256).toBe(body.sha256());
      }
      expect(await held()).toBe(0);
    } finally {
      await stop();
    }
  });
});

describe('uploads that never finish', () => {
  /** Starts a multipart upload through `target` and waits until S3 has it. */
  async function startedMultipart(target: SpawnedConnector & { prefix: string }, key: string) {
    const upload = manualUpload(target.socketPath, key);
    await upload.write(2 * PART);
    await vi.waitFor(async () => expect(await pendingUploadsUnder(`${target.prefix}/${key}`)).toBe(1), {
      timeout: 30_000,
      interval: 100,
    });
    return upload;
  }

  it('a client that stalls mid-upload is 408 after CONNECTOR_BODY_IDLE_TIMEOUT_MS and its multipart upload is aborted', async () => {
    const stalling = await startVariant(variant, bucket, {
      STATE_PART_SIZE_BYTES: String(PART),
      CONNECTOR_BODY_IDLE_TIMEOUT_MS: '1000',
    });
    try {
      const key = 'stalled/upload.bin';
      const upload = await startedMultipart(stalling, key);
      expect(await upload.response).toBe(408);
      upload.req.destroy();
      await vi.waitFor(async () => expect(await pendingUploadsUnder(`${stalling.prefix}/${key}`)).toBe(0), {
        timeout: 30_000,
        interval: 100,
      });
      expect((await new ConnectorClient(stalling.socketPath).get(key)).status).toBe(404);
    } finally {
      await stalling.stop();
    }
  });

  it('an upload cut by the shutdown grace has its multipart upload aborted before the process exits', async () => {
    const stopping = await startVariant(variant, bucket, {
      STATE_PART_SIZE_BYTES: String(PART),
      CONNECTOR_SHUTDOWN_GRACE_MS: '2000',
    });
    const key = 'cut/upload.bin';
    const upload = await startedMultipart(stopping, key);
    await stopping.stop();
    expect(await stopping.exited).toBe(0);
    expect(await upload.response).toBe(0); // cut: no answer
    // Checked once, after the exit: nothing may be left for a later cleanup to find.
    expect(await pendingUploadsUnder(`${stopping.prefix}/${key}`)).toBe(0);
  });
});
