/** A variant's connector from the environment: settings, then the connector and its description. */
import type { CreateContext, Env } from '@state-proxy/connector-core';
import { describeBackend, readS3Settings } from './config.js';
import { S3Connector, type WriteMode } from './connector.js';

export function createS3Connector(
  env: Env,
  { core, memory }: CreateContext,
  writeMode: WriteMode,
): { connector: S3Connector; backend: string } {
  const settings = readS3Settings(env, core.prefix);
  return { connector: new S3Connector(settings, writeMode, memory), backend: describeBackend(settings) };
}
