export {
  type ClientResponse,
  ConnectorClient,
  encodeKey,
  type PutOptions,
  type RequestOptions,
} from './client.js';
export { VersionMemory, withCompareAndSet } from './compare-and-set.js';
export * from './config.js';
export type * from './connector.js';
export {
  type CounterWorkloadOptions,
  type CounterWorkloadResult,
  runCounterWorkload,
} from './counter-workload.js';
export * from './errors.js';
export { contentEtag, quoteETag, unquoteETag } from './etags.js';
export {
  compareBytes,
  decodeRawPath,
  groupByDelimiter,
  KeyNamespace,
  keyBytesUnder,
  MAX_KEY_BYTES,
  sortByBytes,
  validateKey,
  validatePrefix,
} from './keys.js';
export {
  containerMemoryLimit,
  DEFAULT_MEMORY_BUDGET_BYTES,
  defaultMemoryBudget,
  MemoryBudget,
  type Reservation,
} from './memory-budget.js';
export { Metrics, type MetricsOptions, OPERATIONS, type Operation, OperationCounts } from './metrics.js';
export { createLogger } from './observability.js';
export { LengthMismatchError, readWhole } from './read-whole.js';
export { countTransferred } from './release-memory.js';
export {
  type CreateContext,
  type RunOptions,
  runConnector,
  type ServeOptions,
  type ServingConnector,
  serveConnector,
} from './run.js';
export { type SpawnedConnector, type SpawnOptions, type StartedConnector, spawnConnector } from './spawn.js';
export { Spool, type SpoolOptions } from './spool.js';
export { parseTtlSeconds } from './ttl.js';
