// The core conformance suite and the tests every S3 variant shares, against the real S3 server.
import { describeS3Variant } from '@state-proxy/s3-connector/testing';
import { underTest as variant } from './under-test.js';

describeS3Variant(variant);
