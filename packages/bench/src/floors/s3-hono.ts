/**
 * The S3 framework floor: the S3 floor's backend (s3-backend.ts) behind hono and
 * @hono/node-server, as the connectors are served: what the framework costs by itself.
 */
import { serveWithHono } from './hono.js';
import { s3Backend } from './s3-backend.js';

serveWithHono(s3Backend);
