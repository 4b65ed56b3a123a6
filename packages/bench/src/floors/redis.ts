/** The Redis floor: `node:http` + node-redis and nothing else (redis-backend.ts). */
import { serve } from './http.js';
import { redisBackend } from './redis-backend.js';

serve(redisBackend);
