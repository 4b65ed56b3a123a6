// s3-buffered-cas: spooled bodies, one PutObject; plain writes of a key read before are
// conditional on the ETag read (docs/consistency.md#compare-and-set). All S3 logic lives in
// @state-proxy/s3-connector.
import type { VariantDeclaration } from '@state-proxy/connector-core';
import { S3_ATTRIBUTES } from '@state-proxy/s3-connector/attribute-names';

export const variant = {
  name: 's3-buffered-cas',
  consistency: 'cas',
  writeMode: 'buffered',
  defaultMaxBodyBytes: 5 * 1024 ** 3, // the largest single PutObject
  attributes: S3_ATTRIBUTES,
} satisfies VariantDeclaration;
