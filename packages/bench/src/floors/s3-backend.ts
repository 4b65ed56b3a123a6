/**
 * The S3 floor's backend half: @aws-sdk/client-s3 and nothing else, served by s3.ts (`node:http`)
 * or s3-hono.ts (hono). It reads the env the S3
 * connectors read (STATE_BUCKET, STATE_PREFIX, AWS_ENDPOINT_URL, AWS_REGION, the SDK's own
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, STATE_BACKEND_TIMEOUT_MS, STATE_BACKEND_MAX_ATTEMPTS,
 * STATE_BACKEND_MAX_SOCKETS, same defaults) and builds its client with the options of
 * packages/s3-connector/src/s3-client.ts, so the difference to a connector is the connector's own code.
 * Keys are `<prefix>/<key>`. GET → GetObject (streamed to the reply), PUT → PutObject of the
 * buffered body, HEAD → HeadObject, LIST → ListObjectsV2 with the delimiter.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { type FloorBackend, toListing } from './http.js';

const env = process.env;
const integer = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const bucket = env.STATE_BUCKET ?? '';
const namespace = env.STATE_PREFIX ? `${env.STATE_PREFIX.replace(/\/+$/, '')}/` : '';
const endpoint = env.AWS_ENDPOINT_URL || undefined;
const timeoutMs = integer('STATE_BACKEND_TIMEOUT_MS', 30_000);
const agentOptions = { keepAlive: true, maxSockets: integer('STATE_BACKEND_MAX_SOCKETS', 64) };
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
/** ListObjectsV2 pages per listing at most. */
const MAX_PAGES = 10_000;

const s3 = new S3Client({
  region: env.AWS_REGION || 'us-east-1',
  ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  maxAttempts: integer('STATE_BACKEND_MAX_ATTEMPTS', 3),
  logger: silent,
  requestHandler: {
    connectionTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
  },
});

const isNotFound = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

export const s3Backend: FloorBackend = {
  async get(key, res) {
    let out: GetObjectCommandOutput;
    try {
      out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: namespace + key }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
    if (out.ContentLength !== undefined) headers['Content-Length'] = String(out.ContentLength);
    if (out.ETag) headers.ETag = out.ETag;
    res.writeHead(200, headers);
    const body = out.Body as Readable;
    body.on('error', () => res.destroy());
    body.pipe(res);
    return true;
  },
  async put(key, body) {
    const out = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: namespace + key, Body: body, ContentLength: body.length }),
    );
    return out.ETag ?? '""';
  },
  async head(key) {
    try {
      const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: namespace + key }));
      return out.ETag
        ? { length: out.ContentLength ?? 0, etag: out.ETag }
        : { length: out.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  },
  async list(prefix, delimiter) {
    const names: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: namespace + prefix,
          ...(delimiter ? { Delimiter: delimiter } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of out.Contents ?? []) if (object.Key) names.push(object.Key.slice(namespace.length));
      for (const common of out.CommonPrefixes ?? [])
        if (common.Prefix) names.push(common.Prefix.slice(namespace.length));
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (!token) break;
    }
    return toListing(names, prefix, delimiter);
  },
};
