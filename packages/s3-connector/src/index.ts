export { S3_ATTRIBUTES } from './attribute-names.js';
export { describeBackend, type IfMatchFormat, readS3Settings, type S3Settings } from './config.js';
export { S3Connector, type WriteMode } from './connector.js';
export { translateS3Error } from './errors.js';
export { conditionParams, formatIfMatch, unquoteEtag } from './etags.js';
export { createS3Client } from './s3-client.js';
export { createS3Connector } from './variant.js';
export { MAX_PUT_BYTES } from './writes.js';
