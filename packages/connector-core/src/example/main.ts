// The example's process: its declaration and its connector, handed to core's runner.
import { runConnector } from '@state-proxy/connector-core';
import { createMapConnector } from './connector.js';
import { variant } from './variant.js';

runConnector({ variant, create: createMapConnector });
