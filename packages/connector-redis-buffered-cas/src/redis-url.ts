/**
 * REDIS_URL, read (README: Settings). One server, a Sentinel set, or a Cluster:
 *
 *   redis://[user:password@]host[:port][/db]                                   rediss:// over TLS
 *   redis-sentinel://[user:password@]host[:port][,host[:port]...][/db]#master  rediss-sentinel://
 *   redis-cluster://[user:password@]host[:port][,host[:port]...]               rediss-cluster://
 *
 * A one-server URL is node-redis's own (only checked here); the others are ours, since WHATWG URL
 * cannot read a list of hosts. Every error names the URL with its password masked. Credentials are
 * everything up to the last '@'; a '/', '?', '#' or a broken %-escape in them is refused, for every
 * form alike, since a URL parser would end the credentials there.
 */
import { ConfigError, checkUrlCredentials, maskUrlCredentials } from '@state-proxy/connector-core';

export interface Address {
  host: string;
  port: number;
}

export interface Credentials {
  username?: string;
  password?: string;
}

export type RedisEndpoint =
  | { kind: 'standalone'; tls: boolean; url: string }
  | {
      kind: 'sentinel';
      tls: boolean;
      sentinels: Address[];
      masterName: string;
      database: number;
      /** The master's (and by default the sentinels'). */
      credentials: Credentials;
    }
  | { kind: 'cluster'; tls: boolean; seeds: Address[]; credentials: Credentials };

const TOPOLOGY_SCHEME = /^(rediss?)-(sentinel|cluster):\/\//;
const DEFAULT_PORT = { sentinel: 26379, cluster: 6379 } as const;

export function parseRedisUrl(url: string): RedisEndpoint {
  // First: node-redis would take part of such a password for the host, resolve it and print it.
  checkUrlCredentials('REDIS_URL', url);
  const masked = maskUrlCredentials(url);
  const scheme = TOPOLOGY_SCHEME.exec(url);
  if (!scheme) return parseOneServerUrl(url, masked);
  const kind = scheme[2] as 'sentinel' | 'cluster';
  const fail = (why: string) => new ConfigError(`REDIS_URL ${why}: '${masked}'`);

  let rest = url.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  const credentials = at === -1 ? {} : readCredentials(rest.slice(0, at), fail);
  rest = rest.slice(at + 1);
  const hash = rest.indexOf('#');
  const fragment = hash === -1 ? '' : rest.slice(hash + 1);
  rest = hash === -1 ? rest : rest.slice(0, hash);
  if (rest.includes('?')) throw fail(`takes no query parameters (${scheme[0]}...)`);
  const slash = rest.indexOf('/');
  const hostList = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? '' : rest.slice(slash + 1);
  if (hostList === '') throw fail('has no host');
  const addresses = hostList.split(',').map((text) => readAddress(text, DEFAULT_PORT[kind], fail));
  const tls = scheme[1] === 'rediss';

  if (kind === 'cluster') {
    if (path !== '') throw fail('names a database, which a Redis Cluster does not have (remove the /N)');
    if (fragment !== '') throw fail('has a #name, which only a redis-sentinel:// URL takes');
    return { kind, tls, seeds: addresses, credentials };
  }
  if (path !== '' && !/^\d+$/.test(path)) throw fail('database must be a number (.../0#master)');
  const masterName = decode(fragment, fail);
  if (masterName === '') throw fail('has no master name (redis-sentinel://host:26379#mymaster)');
  return { kind, tls, sentinels: addresses, masterName, database: Number(path || 0), credentials };
}

/** Rejects what node-redis would reject later (or misread). */
function parseOneServerUrl(url: string, masked: string): RedisEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`REDIS_URL is not a valid URL: '${masked}'`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(
      `REDIS_URL must start with redis://, rediss://, redis-sentinel://, redis-cluster:// (or rediss-...), got '${masked}'`,
    );
  }
  if (parsed.hostname === '') throw new ConfigError(`REDIS_URL has no host: '${masked}'`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new ConfigError(`REDIS_URL database must be a number (redis://host:port/0), got '${masked}'`);
  }
  return { kind: 'standalone', tls: parsed.protocol === 'rediss:', url };
}

function readCredentials(userInfo: string, fail: (why: string) => ConfigError): Credentials {
  const colon = userInfo.indexOf(':');
  const username = decode(colon === -1 ? userInfo : userInfo.slice(0, colon), fail);
  const password = colon === -1 ? '' : decode(userInfo.slice(colon + 1), fail);
  return { ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

function readAddress(text: string, defaultPort: number, fail: (why: string) => ConfigError): Address {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]/]+))(?::(\d{1,5}))?$/.exec(text);
  const port = Number(match?.[3] ?? defaultPort);
  if (!match || port < 1 || port > 65535) {
    throw fail(text === '' ? 'has an empty entry in its host list' : `has an invalid host:port '${text}'`);
  }
  return { host: match[1] ?? match[2]!, port };
}

function decode(text: string, fail: (why: string) => ConfigError): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw fail('has an invalid %-escape');
  }
}
