// s3-passthrough: the request body streams into S3 (multipart for large or unknown lengths),
// last write wins. All S3 logic lives in
// @state-proxy/s3-connector.
import type { VariantDeclaration } from '@state-proxy/connector-core';
import { S3_ATTRIBUTES } from '@state-proxy/s3-connector/attribute-names';

export const variant = {
  name: 's3-passthrough',
  consistency: 'lww',
  writeMode: 'streaming',
  defaultMaxBodyBytes: undefined, // no limit: memory stays bounded by part size x queue size
  attributes: S3_ATTRIBUTES,
} satisfies VariantDeclaration;
