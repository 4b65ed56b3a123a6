/**
 * The Redis framework floor: the Redis floor's backend (redis-backend.ts) behind hono and
 * @hono/node-server, as the connectors are served: what the framework costs by itself.
 */
import { serveWithHono } from './hono.js';
import { redisBackend } from './redis-backend.js';

serveWithHono(redisBackend);
