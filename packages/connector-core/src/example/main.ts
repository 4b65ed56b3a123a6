// The example's process: its declaration and its connector, handed to core's runner.
import { runConnector } from '@state-proxy/connector-core';
import { createMapConnector, variant } from './connector.js';

runConnector({ variant, create: createMapConnector });
