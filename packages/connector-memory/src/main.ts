import { runConnector, withCompareAndSet } from '@state-proxy/connector-core';
import { MemoryConnector } from './connector.js';

runConnector({
  variant: 'memory',
  defaultMaxBodyBytes: 512 * 1024 * 1024,
  create: (_env, core) => ({
    connector: withCompareAndSet(new MemoryConnector(), core.casMemoryKeys),
    backend: 'memory',
  }),
});
