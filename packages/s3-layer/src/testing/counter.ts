/** The lost-update workload of SPEC §4: W workers x N read-increment-write cycles on one counter. */
import type { ConnectorClient } from '@state-proxy/connector-core';

export interface CounterResult {
  final: number;
  conflicts: number;
}

/**
 * Each cycle reads the counter (404 = 0), writes value + 1 with a plain PUT, and starts over on
 * 409. One client per worker, each to its own connector process, as each actor has its own
 * sidecar: the CAS memory is per process, so workers sharing one process would share it too.
 */
export async function runCounter(
  clients: ConnectorClient[],
  key: string,
  cycles: number,
): Promise<CounterResult> {
  let conflicts = 0;
  const worker = async (client: ConnectorClient) => {
    for (let done = 0; done < cycles; ) {
      const read = await client.get(key);
      if (read.status !== 200 && read.status !== 404) throw new Error(`read answered ${read.status}`);
      const value = read.status === 404 ? 0 : Number(read.body.toString());
      const write = await client.put(key, String(value + 1));
      if (write.status === 409) conflicts += 1;
      else if (write.status === 204) done += 1;
      else throw new Error(`write answered ${write.status}: ${write.body.toString()}`);
    }
  };
  await Promise.all(clients.map(worker));
  const final = await clients[0]!.get(key);
  return { final: Number(final.body.toString()), conflicts };
}
