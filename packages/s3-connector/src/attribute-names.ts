/**
 * The extended attributes of an S3 object (docs/attributes.md#s3), as the S3 variants declare
 * them: a module of its own, so that a declaration does not load the S3 connector and its SDK.
 */
export const S3_ATTRIBUTES: readonly string[] = [
  'url',
  'presigned_url',
  'etag',
  'content_type',
  'version',
  'storage_class',
  'size',
];
