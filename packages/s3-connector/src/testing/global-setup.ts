// vitest globalSetup of every S3 package: one S3 server per test run (see backend.ts).
import { provideS3Server } from './backend.js';

export default provideS3Server;
