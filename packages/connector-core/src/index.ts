/**
 * The runtime API of a connector (the guide: packages/connector-core/README.md). Test tools are in
 * the `@state-proxy/connector-core/testing` subpath.
 */
export { withCompareAndSet } from './compare-and-set.js';
export {
  ConfigError,
  type CoreConfig,
  checkUrlCredentials,
  type Env,
  GiB,
  type LogLevel,
  MiB,
  maskUrlCredentials,
  optionalInteger,
  optionalString,
  positiveInteger,
  requireString,
} from './config.js';
export type * from './connector.js';
export {
  BadRequestError,
  ConflictError,
  ConnectorError,
  type ErrorCode,
  errnoError,
  isNetworkErrorCode,
  KeyNotFoundError,
  PermissionDeniedError,
  STATUS_BY_CODE,
  TimeoutError,
  TooLargeError,
  UnavailableError,
  UnsupportedAttributeError,
} from './errors.js';
export { contentEtag, unquoteETag } from './etags.js';
export { KeyNamespace, sortByBytes, validateKey } from './keys.js';
export { groupByDelimiter, ListingBuilder, ListingMemory, ListingTooLargeError } from './listing.js';
export { defaultMemoryBudget, MemoryBudget, type Reservation } from './memory-budget.js';
export { LengthMismatchError, readWhole } from './read-whole.js';
export { countTransferred } from './release-memory.js';
export {
  type CreateContext,
  type Created,
  type RunOptions,
  runConnector,
  type ServeOptions,
  type ServingConnector,
  serveConnector,
} from './run.js';
export { parseTtlSeconds } from './ttl.js';
