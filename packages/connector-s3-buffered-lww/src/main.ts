// s3-buffered-lww: spooled bodies, one PutObject, last write wins (explicit If-Match /
// If-None-Match still honoured). All S3 logic lives in @state-proxy/s3-connector.
import { GiB, runConnector } from '@state-proxy/connector-core';
import { s3ConnectorFromEnv } from '@state-proxy/s3-connector';

runConnector({
  variant: 's3-buffered-lww',
  defaultMaxBodyBytes: 5 * GiB, // the largest single PutObject
  create: (env, core, _log, memory) => s3ConnectorFromEnv(env, core.prefix, 'buffered', memory),
});
