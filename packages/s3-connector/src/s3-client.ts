/** The one S3 client of a connector process, tuned for S3-compatible servers and bounded timeouts. */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from './config.js';

// The SDK warns through console (stdout) when no logger is set; our stdout is JSON lines only.
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export function createS3Client(settings: S3Settings): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: settings.maxSockets };
  return new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    // Flexible checksums make stream bodies chunk-encoded, which RadosGW refuses with 411
    // (docs/s3-compatibility.md#streaming-putobject-and-checksums).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: settings.maxAttempts,
    logger: silent,
    requestHandler: {
      // Idle timeouts, not whole-transfer ones: a 1 GiB read may take minutes, a silent socket may not.
      connectionTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  });
}
