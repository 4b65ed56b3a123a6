import { fileURLToPath } from 'node:url';
import { describeStandaloneBundle } from '@state-proxy/connector-core/conformance';

describeStandaloneBundle({
  name: 'redis-buffered-cas',
  entry: fileURLToPath(new URL('../dist/main.cjs', import.meta.url)),
  // Nothing listens on port 1: the connector must serve anyway and report itself not ready.
  env: { REDIS_URL: 'redis://127.0.0.1:1', STATE_BACKEND_TIMEOUT_MS: '500' },
  readyStatus: 503,
});
