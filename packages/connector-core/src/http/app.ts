/**
 * The protocol app: every route of the protocol (docs/protocol.md#routes) and the one error
 * handler. A request goes route → key validation → Connector method → response; any typed error
 * thrown on that path becomes JSON here, with its status from the table in errors.ts.
 */

import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { Connector, VariantDeclaration } from '../connector.js';
import { MethodNotAllowedError, NotFoundError, toConnectorError } from '../errors.js';
import { MAX_KEY_BYTES } from '../keys.js';
import type { Metrics } from '../metrics.js';
import type { BodyOptions } from './body.js';
import { addKeyRoutes } from './keys-routes.js';
import { addMetaRoutes } from './meta-routes.js';
import { Readiness } from './readiness.js';
import { errorResponse } from './responses.js';
import { targetOf } from './target.js';

export interface AppOptions {
  connector: Connector;
  /** `buffered`: bodies are spooled whole before `write`; `streaming`: `write` gets the live request. */
  writeMode: VariantDeclaration['writeMode'];
  body: BodyOptions;
  log: Logger;
  metrics: Metrics;
  /** How long /readyz waits for the backend before it answers 503. */
  readyTimeoutMs: number;
}

const BACKEND_FAILURES = new Set(['unavailable', 'timeout', 'permission_denied']);

export function createApp({
  connector,
  writeMode,
  body,
  log,
  metrics,
  readyTimeoutMs,
}: AppOptions): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.get('/healthz', (c) => c.json({ status: 'ready' }));
  const readiness = new Readiness(connector, readyTimeoutMs, log);
  app.get('/readyz', async (c) => {
    const answer = await readiness.check();
    return answer.ready
      ? c.json({ status: 'ready' })
      : c.json({ status: 'unavailable', reason: answer.reason }, 503);
  });
  app.get('/metrics', async (c) => {
    const { text, contentType } = await metrics.exposition();
    return c.body(text, 200, { 'Content-Type': contentType });
  });

  const maxKeyBytes = connector.maxKeyBytes ?? MAX_KEY_BYTES;
  addKeyRoutes(app, connector, writeMode, body, log, maxKeyBytes);
  addMetaRoutes(app, connector, body, maxKeyBytes);

  // A known route with a method it does not take.
  for (const path of ['/healthz', '/readyz', '/metrics', '/keys/', '/keys/_', '/meta/_']) {
    app.all(path, (c) => {
      throw new MethodNotAllowedError(c.req.method, targetOf(c.env.incoming).path);
    });
  }
  app.notFound((c) => {
    throw new NotFoundError(targetOf(c.env.incoming).path);
  });

  app.onError((thrown, c) => {
    const error = toConnectorError(thrown);
    const { operation, raw: target } = targetOf(c.env.incoming);
    if (error.code === 'internal_error') {
      log.error({ err: thrown, operation, target }, 'request failed with an internal error');
    } else if (BACKEND_FAILURES.has(error.code)) {
      metrics.of(operation).backendError(error.code);
      log.warn({ operation, target, code: error.code, cause: causeOf(error) }, error.message);
    } else if (error.code === 'conflict') {
      metrics.of(operation).casConflicts++;
    }
    return errorResponse(c, error);
  });

  return app;
}

function causeOf(error: Error): string | undefined {
  return error.cause instanceof Error
    ? error.cause.message
    : error.cause === undefined
      ? undefined
      : String(error.cause);
}
