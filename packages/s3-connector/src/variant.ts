/** Everything a variant's main.ts needs beyond wiring: env → settings → connector + description. */
import type { Env, MemoryBudget } from '@state-proxy/connector-core';
import { describeBackend, readS3Settings } from './config.js';
import { S3Connector, type WriteMode } from './connector.js';

export function s3ConnectorFromEnv(
  env: Env,
  prefix: string,
  writeMode: WriteMode,
  memory: MemoryBudget,
): { connector: S3Connector; backend: string } {
  const settings = readS3Settings(env, prefix);
  return { connector: new S3Connector(settings, writeMode, memory), backend: describeBackend(settings) };
}
