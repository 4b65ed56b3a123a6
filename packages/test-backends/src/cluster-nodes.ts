// The reply of CLUSTER NODES, one line per node:
//   <id> <ip:port@busport[,hostname]> <flags> <master id or -> <ping-sent> <pong-recv> <epoch> <link> <slot ranges...>
// e.g. `e7d1... 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460`.

/** One node of a Redis Cluster, as the node that was asked sees it. */
export interface ClusterNode {
  id: string;
  host: string;
  port: number;
  role: 'master' | 'replica';
  /** A replica's master. */
  masterId?: string;
  /** Inclusive slot ranges it serves (a master's). */
  slots: Array<[number, number]>;
  /** Taken for failing (`fail`) or suspected (`fail?`) by the node asked. */
  failing: boolean;
}

function parseSlotRange(text: string): [number, number] {
  const [from, to = from] = text.split('-').map(Number) as [number, number?];
  return [from, to];
}

function parseLine(line: string): ClusterNode {
  const [id, address, flagText, master, , , , , ...slots] = line.split(' ');
  const hostPort = address?.split('@')[0] ?? '';
  const colon = hostPort.lastIndexOf(':');
  const flags = (flagText ?? '').split(',');
  if (!id || colon < 0 || !master) throw new Error(`not a CLUSTER NODES line: ${line}`);
  return {
    id,
    host: hostPort.slice(0, colon),
    port: Number(hostPort.slice(colon + 1)),
    role: flags.includes('slave') ? 'replica' : 'master',
    ...(master === '-' ? {} : { masterId: master }),
    // `[slot->-id]` and `[slot-<-id]` entries are slots in migration: not served yet.
    slots: slots.filter((slot) => !slot.startsWith('[')).map(parseSlotRange),
    failing: flags.includes('fail') || flags.includes('fail?'),
  };
}

export function parseClusterNodes(reply: unknown): ClusterNode[] {
  return String(reply)
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map(parseLine);
}

/** The master that serves `slot` according to `nodes`, if any. */
export function slotOwner(nodes: ClusterNode[], slot: number): ClusterNode | undefined {
  return nodes.find(
    (node) => node.role === 'master' && node.slots.some(([from, to]) => from <= slot && slot <= to),
  );
}
