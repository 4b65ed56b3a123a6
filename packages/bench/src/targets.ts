/**
 * The things a cell measures: GET and PUT of a key, either through a connector's socket or
 * directly with the backend's own client. Each checks its answer, so a cell of fast failures
 * cannot pass for a fast cell.
 */

import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConnectorClient } from '@state-proxy/connector-core/testing';
import type { RedisAddress } from '@state-proxy/test-backends';
import { createClient, createCluster, RESP_TYPES } from 'redis';

export interface KvTarget {
  /** Resolves once the whole value has arrived; rejects unless it has `expectedBytes` bytes. */
  get(key: string, expectedBytes: number): Promise<void>;
  put(key: string, body: Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * Through the connector's socket. `keepAlive: false` opens a new connection per operation, as the
 * actor runtime does; keep-alive is what a long-lived client would do.
 */
export function connectorTarget(socketPath: string, keepAlive: boolean): KvTarget {
  const client = new ConnectorClient(socketPath, { keepAlive });
  return {
    async get(key, expectedBytes) {
      const res = await client.get(key);
      if (res.status !== 200)
        throw new Error(`GET ${key}: ${res.status} ${res.body.toString().slice(0, 200)}`);
      if (res.body.length !== expectedBytes) throw new Error(`GET ${key}: ${res.body.length} bytes`);
    },
    async put(key, body) {
      const res = await client.put(key, body);
      if (res.status !== 204)
        throw new Error(`PUT ${key}: ${res.status} ${res.body.toString().slice(0, 200)}`);
    },
    async close() {
      client.close();
    },
  };
}

/** Direct node-redis GET/SET on one connection (node-redis pipelines concurrent commands). */
export async function redisTarget(url: string, storageKey: (key: string) => string): Promise<KvTarget> {
  const client = createClient({ url });
  client.on('error', () => {}); // failures surface through the commands themselves
  await client.connect();
  return redisKvTarget(
    'redis',
    client,
    client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }),
    storageKey,
  );
}

/** Direct node-redis cluster GET/SET: one connection per master, each command to its key's master. */
export async function redisClusterTarget(
  seeds: RedisAddress[],
  storageKey: (key: string) => string,
): Promise<KvTarget> {
  const client = createCluster({ rootNodes: seeds.map((socket) => ({ socket })) });
  client.on('error', () => {}); // failures surface through the commands themselves
  await client.connect();
  return redisKvTarget(
    'redis cluster',
    client,
    client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }),
    storageKey,
  );
}

/** GET (values as Buffers, through `binary`) and SET with a connected client or cluster. */
function redisKvTarget(
  what: string,
  client: { set(key: string, value: Buffer): Promise<unknown>; destroy(): void },
  binary: { get(key: string): Promise<Buffer | null> },
  storageKey: (key: string) => string,
): KvTarget {
  return {
    async get(key, expectedBytes) {
      const value = await binary.get(storageKey(key));
      if (value?.length !== expectedBytes)
        throw new Error(`${what} GET ${key}: ${value?.length ?? 'nil'} bytes`);
    },
    async put(key, body) {
      await client.set(storageKey(key), body);
    },
    async close() {
      client.destroy();
    },
  };
}

/** Direct SDK GetObject/PutObject with the test-backends client (keep-alive, path-style). */
export function s3Target(client: S3Client, bucket: string, storageKey: (key: string) => string): KvTarget {
  return {
    async get(key, expectedBytes) {
      const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: storageKey(key) }));
      const bytes = await res.Body?.transformToByteArray();
      if (bytes?.length !== expectedBytes) throw new Error(`S3 GetObject ${key}: ${bytes?.length} bytes`);
    },
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: storageKey(key), Body: body }));
    },
    async close() {
      // The S3 client is shared by the run and destroyed by its owner.
    },
  };
}
