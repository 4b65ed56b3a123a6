/** What a handler does, played through the connectors: each scene returns the lines it reports. */

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ConnectorClient,
  runCounterWorkload,
  type SpawnedConnector,
} from '@state-proxy/connector-core/testing';
import { type Backends, peakRssMiB, startConnector, type Variant } from './connectors.js';

const WORKERS = 8;
const CYCLES = 20;

/** 8 workers increment one counter, each through its own replica of the connector. */
export async function counterScene(variant: Variant, backends: Backends): Promise<string> {
  const starts = await Promise.allSettled(
    Array.from({ length: WORKERS }, () => startConnector(variant, backends, `demo-counter-${variant}`)),
  );
  const replicas = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  try {
    const failed = starts.find((start) => start.status === 'rejected');
    if (failed) throw failed.reason;
    const result = await runCounterWorkload({
      sockets: replicas.map((replica) => replica.socketPath),
      key: 'counter.txt',
      workers: WORKERS,
      cycles: CYCLES,
    });
    const expected = WORKERS * CYCLES;
    const verdict =
      result.final === expected
        ? `exact (${result.conflicts} conflicts retried)`
        : `${expected - result.final} updates LOST (last write wins)`;
    return `${variant.padEnd(20)} counter = ${String(result.final).padStart(3)} of ${expected}: ${verdict}, ${(expected / result.seconds).toFixed(0)} increments/s`;
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
  }
}

/** A cache entry with a TTL on Redis: written, given 60 s, then 1 s, and seen to expire. */
export async function ttlScene(client: ConnectorClient): Promise<string[]> {
  const key = 'cache/session-42.json';
  await client.put(key, '{"user":42}');
  await client.setMeta(key, 'ttl', '60');
  const ttl = JSON.parse((await client.getMeta(key, 'ttl')).body.toString()) as { value: string };
  await client.setMeta(key, 'ttl', '1');
  const started = Date.now();
  // Poll until Redis expires it; bounded so a broken TTL cannot hang the demo.
  while ((await client.head(key)).status === 204) {
    if (Date.now() - started > 5000) return [`ttl: ${key} did NOT expire within 5 s`];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [
    `ttl: ${key} written with ttl ${ttl.value} s`,
    `ttl: set to 1 s, gone after ${((Date.now() - started) / 1000).toFixed(1)} s`,
  ];
}

/** A directory of user files, listed like `ls`. */
export async function listingScene(client: ConnectorClient): Promise<string[]> {
  for (const name of [
    'users/ada.json',
    'users/alan.json',
    'users/archive/2025.json',
    'users/archive/2024.json',
  ]) {
    await client.put(name, `{"file":"${name}"}`);
  }
  const top = await client.list('users/');
  const deep = await client.list('users/', '');
  return [
    `listing users/: keys ${JSON.stringify(top.keys)}, directories ${JSON.stringify(top.prefixes)}`,
    `listing users/ recursively: ${deep.keys.length} keys`,
  ];
}

/** 256 MiB streamed through s3-passthrough and read back, with the connector's peak memory. */
export async function streamingScene(connector: SpawnedConnector): Promise<string[]> {
  const size = 256 * 1024 * 1024;
  const chunk = 1024 * 1024;
  const written = createHash('sha256');
  async function* generate() {
    for (let offset = 0; offset < size; offset += chunk) {
      const block = Buffer.alloc(chunk, offset / chunk);
      written.update(block);
      yield block;
    }
  }
  const client = new ConnectorClient(connector.socketPath);
  const started = Date.now();
  const put = await client.put('big/stream.bin', Readable.from(generate()));
  const putSeconds = (Date.now() - started) / 1000;
  if (put.status !== 204) return [`streaming: PUT answered ${put.status}: ${put.body}`];
  const readStarted = Date.now();
  const read = await client.get('big/stream.bin');
  const readSeconds = (Date.now() - readStarted) / 1000;
  const same = createHash('sha256').update(read.body).digest('hex') === written.digest('hex');
  client.close();
  return [
    `streaming: 256 MiB chunked PUT in ${putSeconds.toFixed(1)} s (${(256 / putSeconds).toFixed(0)} MiB/s), read back in ${readSeconds.toFixed(1)} s, ${same ? 'identical' : 'DIFFERENT'}`,
    `streaming: connector peak RSS ${(await peakRssMiB(connector.child.pid)).toFixed(0)} MiB (limit for S3 sidecars: 128 MiB)`,
  ];
}
