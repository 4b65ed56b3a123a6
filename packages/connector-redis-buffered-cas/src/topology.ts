/**
 * Which link a REDIS_URL takes. One server's is at hand; a Sentinel set's and a Cluster's code
 * (with node-redis's RedisCluster behind the latter) is loaded only for their URLs, so a
 * standalone connector neither loads nor builds any of it (a sidecar's start-up and memory are
 * measured, in a 64 MiB container).
 */
import type { OpenLink } from './link.js';
import type { RedisEndpoint } from './redis-url.js';
import { openStandalone } from './standalone.js';

export function openerFor(endpoint: RedisEndpoint): OpenLink | Promise<OpenLink> {
  switch (endpoint.kind) {
    case 'standalone':
      return openStandalone;
    case 'sentinel':
      return import('./sentinel.js').then((module) => module.openSentinel);
    case 'cluster':
      return import('./cluster.js').then((module) => module.openCluster);
  }
}
