/** The S3 floor: `node:http` + @aws-sdk/client-s3 and nothing else (s3-backend.ts). */
import { serve } from './http.js';
import { s3Backend } from './s3-backend.js';

serve(s3Backend);
