// s3-buffered-lww: spooled bodies, one PutObject, last write wins (explicit If-Match /
// If-None-Match still honoured). All S3 logic lives in
// @state-proxy/s3-connector.
import type { VariantDeclaration } from '@state-proxy/connector-core';
import { S3_ATTRIBUTES } from '@state-proxy/s3-connector/attribute-names';

export const variant = {
  name: 's3-buffered-lww',
  consistency: 'lww',
  writeMode: 'buffered',
  defaultMaxBodyBytes: 5 * 1024 ** 3, // the largest single PutObject
  attributes: S3_ATTRIBUTES,
} satisfies VariantDeclaration;
