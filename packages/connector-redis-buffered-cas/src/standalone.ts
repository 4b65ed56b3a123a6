/**
 * One Redis server (redis://, rediss://): the link is node-redis's bare RedisClient itself, so the
 * connector's most common form pays nothing for the others.
 */
import type { RedisFunctions, RedisModules, RedisScripts, RespVersions, TypeMapping } from '@redis/client';
import type { Redis } from './commands.js';
import { clientSettings, type Link, type LinkOptions } from './link.js';
import { RedisClient } from './node-redis.js';

class StandaloneLink
  extends RedisClient<RedisModules, RedisFunctions, RedisScripts, RespVersions, TypeMapping>
  implements Link
{
  forKey(): Redis {
    return this;
  }

  async connectionFor(): Promise<Redis> {
    return this;
  }

  masters(): Redis[] {
    return [this];
  }
}

export function openStandalone(options: LinkOptions): Link {
  const { endpoint } = options.target;
  if (endpoint.kind !== 'standalone') throw new Error(`not a standalone endpoint: ${endpoint.kind}`);
  // The URL carries the host, port, credentials, database and TLS; the settings the rest.
  return new StandaloneLink({ url: endpoint.url, ...clientSettings(options) });
}
