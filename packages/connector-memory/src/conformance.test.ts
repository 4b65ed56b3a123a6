import { fileURLToPath } from 'node:url';
import { describeConformance, spawnConnector } from '@state-proxy/connector-core/conformance';

const entry = fileURLToPath(new URL('../dist/main.cjs', import.meta.url));

// Each start is a new process, so each gets an empty store.
describeConformance({
  name: 'memory',
  start: (env) => spawnConnector({ entry, env: { ...env } }),
});
