// The example through the whole conformance suite, served in the test process: its store cannot
// be shared by processes. Over a real backend, start the bundle (spawnConnector) instead.
import { describeConformance } from '@state-proxy/connector-core/conformance';
import { startInProcess } from '@state-proxy/connector-core/testing';
import { createMapConnector, MapConnector } from './connector.js';
import { variant } from './variant.js';

describeConformance({
  name: variant.name,
  start: (env) => startInProcess({ variant, create: createMapConnector }, env),
  features: {
    variant,
    // Replicas share one store, as replicas of a real backend share it.
    replicas(count) {
      const shared = new MapConnector();
      const create = () => ({ connector: shared, backend: 'process memory' });
      return Promise.all(Array.from({ length: count }, () => startInProcess({ variant, create })));
    },
  },
});
