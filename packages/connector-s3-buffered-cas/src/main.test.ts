// The core conformance suite and the tests every S3 variant shares, against the real S3 server.
import { describeS3Variant } from '@state-proxy/s3-connector/testing';
import { variant } from './variant.js';

describeS3Variant(variant);
