/**
 * The lost-update workload (docs/consistency.md#the-read-to-write-span): workers each read a
 * counter, add one and write it back, retrying on 409. Used by the CAS tests, the demo and the
 * benchmarks.
 *
 * Worker i talks to `sockets[i % sockets.length]`. The CAS memory is per connector and requests
 * carry no identity, so the invariant "exactly workers x cycles" holds when each concurrent
 * worker has its own connector (one sidecar per actor replica), or when workers send If-Match.
 */
import { ConnectorClient } from './client.js';

export interface CounterWorkloadOptions {
  sockets: string[];
  key: string;
  workers: number;
  cycles: number;
  /** Send the ETag read back as If-Match (explicit CAS) instead of relying on the connector's memory. */
  explicitIfMatch?: boolean;
}

export interface CounterWorkloadResult {
  /** The counter's value at the end. */
  final: number;
  successes: number;
  conflicts: number;
  seconds: number;
}

async function worker(socketPath: string, options: CounterWorkloadOptions, tally: { conflicts: number }) {
  // A new connection per request, as the runtime does.
  const client = new ConnectorClient(socketPath);
  try {
    for (let done = 0; done < options.cycles; ) {
      const read = await client.get(options.key);
      if (read.status !== 200 && read.status !== 404)
        throw new Error(`GET answered ${read.status}: ${read.body}`);
      const value = read.status === 200 ? Number(read.body.toString()) : 0;
      const condition =
        options.explicitIfMatch === true
          ? read.status === 200
            ? { ifMatch: read.headers.etag as string }
            : { ifNoneMatch: '*' as const }
          : {};
      const write = await client.put(options.key, String(value + 1), condition);
      if (write.status === 204) done += 1;
      else if (write.status === 409) tally.conflicts += 1;
      else throw new Error(`PUT answered ${write.status}: ${write.body}`);
    }
  } finally {
    client.close();
  }
}

export async function runCounterWorkload(options: CounterWorkloadOptions): Promise<CounterWorkloadResult> {
  const tally = { conflicts: 0 };
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: options.workers }, (_, i) =>
      worker(options.sockets[i % options.sockets.length]!, options, tally),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const client = new ConnectorClient(options.sockets[0]!);
  try {
    const final = await client.get(options.key);
    return {
      final: final.status === 200 ? Number(final.body.toString()) : 0,
      successes: options.workers * options.cycles,
      conflicts: tally.conflicts,
      seconds,
    };
  } finally {
    client.close();
  }
}
