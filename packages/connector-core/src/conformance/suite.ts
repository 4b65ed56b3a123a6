/** What each part of the conformance suite gets, and helpers they share. */
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ClientResponse, ConnectorClient } from '../client.js';
import type { StartedConnector } from '../spawn.js';

export interface Suite {
  readonly client: ConnectorClient;
  readonly socketPath: string;
  start(env?: Record<string, string>): Promise<StartedConnector>;
}

let counter = 0;
/** A key no other test uses, so tests do not depend on each other. */
export function uniqueKey(name: string): string {
  counter += 1;
  return `t${counter}-${randomBytes(3).toString('hex')}/${name}`;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function json(res: ClientResponse): unknown {
  return JSON.parse(res.body.toString('utf8'));
}

/** Asserts an error response: status, JSON content type and `{"error": code, "message": text}`. */
export function expectError(res: ClientResponse, status: number, code: string): void {
  expect({ status: res.status, body: res.body.toString() }).toMatchObject({ status });
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = json(res) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
}
