// s3-passthrough: the request body streams into S3 (multipart for large or unknown lengths),
// last write wins. All S3 logic lives in @state-proxy/s3-connector.
import { runConnector } from '@state-proxy/connector-core';
import { s3ConnectorFromEnv } from '@state-proxy/s3-connector';

runConnector({
  variant: 's3-passthrough',
  defaultMaxBodyBytes: undefined, // no limit: memory stays bounded by part size x queue size
  create: (env, core, _log, memory) => s3ConnectorFromEnv(env, core.prefix, 'streaming', memory),
});
