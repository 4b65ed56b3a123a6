/** An S3Connector served in the test process (for layer tests that need no bundle). */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMemoryBudget, MemoryBudget, serveConnector } from '@state-proxy/connector-core';
import { ConnectorClient } from '@state-proxy/connector-core/testing';
import { readS3Settings } from '../config.js';
import { S3Connector, type WriteMode } from '../connector.js';
import { s3Env } from './connectors.js';

export interface InProcessConnector {
  connector: S3Connector;
  client: ConnectorClient;
  stop(): Promise<void>;
}

export async function serveS3InProcess(
  bucket: string,
  prefix: string,
  writeMode: WriteMode = 'buffered',
  env: Record<string, string> = {},
): Promise<InProcessConnector> {
  const settingsEnv = { ...s3Env(bucket), ...env };
  // Credentials come from the SDK's default chain, as in production: the environment.
  process.env.AWS_ACCESS_KEY_ID = settingsEnv.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = settingsEnv.AWS_SECRET_ACCESS_KEY;
  const memory = new MemoryBudget(defaultMemoryBudget(), 10_000);
  const connector = new S3Connector(readS3Settings(settingsEnv, prefix), writeMode, memory);
  const dir = await mkdtemp(join(tmpdir(), 's3-connector-'));
  const serving = await serveConnector(connector, {
    socketPath: join(dir, 's.sock'),
    writeMode,
    memory,
    processMetrics: false,
  });
  const client = new ConnectorClient(serving.socketPath);
  return {
    connector,
    client,
    async stop() {
      client.close();
      await serving.close(1000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
