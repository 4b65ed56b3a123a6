import { runConnector } from '@state-proxy/connector-core';
import { createS3Connector } from '@state-proxy/s3-connector';
import { variant } from './variant.js';

runConnector({ variant, create: (env, context) => createS3Connector(env, context, variant.writeMode) });
