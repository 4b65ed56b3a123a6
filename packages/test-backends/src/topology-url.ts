// The URLs the Redis connector takes for a cluster or a sentinel set, made from addresses and read
// back into addresses (WHATWG URL cannot parse a comma-separated host list):
//   redis-cluster://h1:p1,h2:p2,...            rediss-cluster://... over TLS
//   redis-sentinel://h1:p1,h2:p2,...[/db]#name  rediss-sentinel://... over TLS
import type { RedisAddress } from './types.js';

export type TopologyKind = 'cluster' | 'sentinel';

const DEFAULT_PORT: Record<TopologyKind, number> = { cluster: 6379, sentinel: 26379 };

const hostPort = ({ host, port }: RedisAddress) =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

export function clusterUrl(seeds: RedisAddress[], tls: boolean): string {
  return `${tls ? 'rediss' : 'redis'}-cluster://${seeds.map(hostPort).join(',')}`;
}

export function sentinelUrl(sentinels: RedisAddress[], masterName: string, tls: boolean): string {
  return `${tls ? 'rediss' : 'redis'}-sentinel://${sentinels.map(hostPort).join(',')}#${encodeURIComponent(masterName)}`;
}

export interface ParsedTopologyUrl {
  tls: boolean;
  addresses: RedisAddress[];
  /** The fragment: a sentinel set's master name; empty for a cluster. */
  masterName: string;
}

function parseAddress(text: string, kind: TopologyKind): RedisAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(text);
  const port = Number(match?.[3] ?? DEFAULT_PORT[kind]);
  if (!match || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`"${text}" is not a host[:port]`);
  }
  return { host: match[1] ?? match[2]!, port };
}

/**
 * Reads a cluster or sentinel URL; credentials and db are skipped. The errors never quote the whole
 * URL, which may hold a password.
 */
export function parseTopologyUrl(url: string, kind: TopologyKind): ParsedTopologyUrl {
  const scheme = new RegExp(`^(rediss?)-${kind}://`).exec(url);
  if (!scheme) throw new Error(`expected redis-${kind}:// or rediss-${kind}://`);
  const [rest = '', fragment = ''] = url.slice(scheme[0].length).split('#', 2);
  const withoutCredentials = rest.slice(rest.lastIndexOf('@') + 1);
  const hosts = withoutCredentials.split(/[/?]/, 1)[0]!;
  const masterName = decodeURIComponent(fragment);
  if (kind === 'sentinel' && !masterName) throw new Error('the master name is missing (#name)');
  if (!hosts) throw new Error('no host');
  return {
    tls: scheme[1] === 'rediss',
    addresses: hosts.split(',').map((text) => parseAddress(text, kind)),
    masterName,
  };
}
