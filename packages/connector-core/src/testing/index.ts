/**
 * Tools for testing and driving connectors (`@state-proxy/connector-core/testing`): a protocol
 * client, starting a connector's bundle, raw requests, the lost-update workload, a fault proxy.
 * No test framework here; the conformance suite (vitest) is `@state-proxy/connector-core/conformance`.
 */
export {
  type ClientResponse,
  ConnectorClient,
  encodeKey,
  type PutOptions,
  type RequestOptions,
} from './client.js';
export {
  type CounterWorkloadOptions,
  type CounterWorkloadResult,
  runCounterWorkload,
} from './counter-workload.js';
export { type FaultMode, type FaultProxy, startFaultProxy } from './fault-proxy.js';
export { startInProcess } from './in-process.js';
export { abandonedUpload, type RawResponse, rawRequest } from './raw.js';
export {
  type SpawnedConnector,
  type SpawnOptions,
  type StartedConnector,
  spawnConnector,
  type WaitOptions,
  waitUntilServing,
} from './spawn.js';
export { uniqueKey, uniquePrefix } from './unique-key.js';
