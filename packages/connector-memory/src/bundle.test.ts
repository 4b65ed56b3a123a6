import { fileURLToPath } from 'node:url';
import { describeStandaloneBundle } from '@state-proxy/connector-core/conformance';

describeStandaloneBundle({
  name: 'memory',
  entry: fileURLToPath(new URL('../dist/main.cjs', import.meta.url)),
  env: {},
  readyStatus: 200,
});
