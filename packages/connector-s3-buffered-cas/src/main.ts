// s3-buffered-cas: spooled bodies, one PutObject; plain writes of a key read before are
// conditional on the ETag read (docs/consistency.md#compare-and-set). All S3 logic lives in
// @state-proxy/s3-connector.
import { GiB, runConnector, withCompareAndSet } from '@state-proxy/connector-core';
import { s3ConnectorFromEnv } from '@state-proxy/s3-connector';

runConnector({
  variant: 's3-buffered-cas',
  defaultMaxBodyBytes: 5 * GiB, // the largest single PutObject
  create(env, core, _log, memory) {
    const { connector, backend } = s3ConnectorFromEnv(env, core.prefix, 'buffered', memory);
    return { connector: withCompareAndSet(connector, core.casMemoryKeys), backend };
  },
});
