export { MemoryConnector } from './connector.js';
