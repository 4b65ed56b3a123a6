import { runConnector } from '@state-proxy/connector-core';
import { MemoryConnector } from './connector.js';
import { variant } from './variant.js';

runConnector({ variant, create: () => ({ connector: new MemoryConnector(), backend: 'memory' }) });
