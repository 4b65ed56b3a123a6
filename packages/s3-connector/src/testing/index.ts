/** Test helpers shared by the S3 variants' suites (not part of the runtime bundle). */
export { directClient, freshBucket, provideS3Server, type S3TestServer, s3Server } from './backend.js';
export { s3Env, startVariant, uniquePrefix, type VariantUnderTest } from './connectors.js';
export { type InProcessConnector, serveS3InProcess } from './in-process.js';
export { chunkedPut, type GeneratedBody, generatedBody, hashedGet } from './streams.js';
export { describeS3Variant, errorCode, storedBytes, testKey } from './variant-suite.js';
