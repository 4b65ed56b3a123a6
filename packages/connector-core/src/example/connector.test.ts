// The example through the whole conformance suite, served in the test process.
import { describeConformance } from '@state-proxy/connector-core/conformance';
import { startInProcess } from '@state-proxy/connector-core/testing';
import { createMapConnector, MapConnector, variant } from './connector.js';

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
