import { fileURLToPath } from 'node:url';
import { describeStandaloneBundle } from '@state-proxy/connector-core/conformance';

describeStandaloneBundle({
  name: 's3-passthrough',
  entry: fileURLToPath(new URL('../dist/main.js', import.meta.url)),
  // Nothing listens on port 1: the connector must serve anyway and report itself not ready.
  env: {
    STATE_BUCKET: 'bundle-check',
    AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    STATE_BACKEND_TIMEOUT_MS: '500',
    STATE_BACKEND_MAX_ATTEMPTS: '1',
  },
  readyStatus: 503,
});
