/**
 * One variant's throughput and memory: start its connector, read idle RSS, run the 1 KiB cells
 * while sampling RSS (the "under load" peak), then the larger sizes; stop everything it started.
 */
import { type SpawnedConnector, spawnConnector } from '@state-proxy/connector-core/testing';
import type { Backends } from './backends.js';
import { type CellResult, fillGetPool, measureSize, SIZES, type Timing } from './cells.js';
import { track } from './cleanup.js';
import { anonMiB, hwmMiB, rssMiB, sampleRss } from './rss.js';
import { connectorTarget, type KvTarget } from './targets.js';
import type { Variant } from './variants.js';

export interface MemoryResult {
  limitMiB: number;
  /** VmRSS a second after start-up, before any request. */
  idleMiB: number;
  /** Its anonymous part (RssAnon: without the mapped node binary and other files). */
  idleAnonMiB: number;
  /** Largest VmRSS sampled (10 ms) during the 1 KiB cells. */
  smallLoadPeakMiB: number;
  smallLoadPeakAnonMiB: number;
  /** VmHWM at the end: the peak of the whole run, 4 MiB bodies included. */
  runPeakMiB: number;
}

export interface VariantResult {
  variant: string;
  cells: CellResult[];
  memory: MemoryResult;
}

const IDLE_SETTLE_MS = 1000;

export async function runVariant(
  variant: Variant,
  backends: Backends,
  timing: Timing,
  onCell: (cell: CellResult) => void,
): Promise<VariantResult> {
  const prefix = `bench-${variant.name}-${Date.now().toString(36)}`;
  const opened: KvTarget[] = [];
  let connector: SpawnedConnector | undefined;
  let untrack = () => {};
  try {
    connector = await spawnConnector({ entry: variant.entry, env: { ...variant.env(backends, prefix) } });
    untrack = track(connector.stop);
    const pid = connector.child.pid;
    if (pid === undefined) throw new Error(`${variant.name}: no pid`);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const idleMiB = rssMiB(pid);
    const idleAnonMiB = anonMiB(pid);

    const direct = await variant.direct(backends, prefix);
    opened.push(direct);
    const targets = {
      connectorPid: pid,
      connector: connectorTarget(connector.socketPath, true),
      connectorNewConnection: connectorTarget(connector.socketPath, false),
      direct,
    };
    opened.push(targets.connector, targets.connectorNewConnection);

    const cells: CellResult[] = [];
    let smallLoad = { rssMiB: 0, anonMiB: 0 };
    for (const size of SIZES) {
      await fillGetPool(direct, size);
      const sampler = size.name === '1KiB' ? sampleRss(pid) : undefined;
      try {
        cells.push(...(await measureSize(size, targets, timing, onCell)));
      } finally {
        if (sampler) smallLoad = sampler.stop();
      }
    }
    const memory: MemoryResult = {
      limitMiB: variant.rssLimitMiB,
      idleMiB,
      idleAnonMiB,
      smallLoadPeakMiB: smallLoad.rssMiB,
      smallLoadPeakAnonMiB: smallLoad.anonMiB,
      runPeakMiB: hwmMiB(pid),
    };
    return { variant: variant.name, cells, memory };
  } finally {
    await Promise.allSettled(opened.map((target) => target.close()));
    untrack();
    await connector?.stop();
  }
}
