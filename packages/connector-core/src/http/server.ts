/**
 * The Node HTTP server around the app: raw-target capture, one log line and metrics per request,
 * in-flight tracking for graceful shutdown, and JSON errors for what never reaches the app:
 * requests Node cannot parse (400), CONNECT (405), an unsupported Expect (417).
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import {
  BadRequestError,
  type ConnectorError,
  ExpectationFailedError,
  MethodNotAllowedError,
} from '../errors.js';
import type { Metrics } from '../observability.js';
import type { createApp } from './app.js';
import { errorBody, rawErrorResponse } from './responses.js';
import { captureRawTarget, operationOf } from './target.js';

export interface ProtocolServer {
  server: Server;
  /** Requests not yet finished. */
  readonly inFlight: number;
  /** Resolves when no request is in flight. */
  idle(): Promise<void>;
}

export function createProtocolServer(
  app: ReturnType<typeof createApp>,
  { log, metrics }: { log: Logger; metrics: Metrics },
): ProtocolServer {
  // The runtime talks over a Unix socket and may omit Host; it is meaningless here anyway.
  const listener = getRequestListener(app.fetch, { hostname: 'localhost' });
  // Fixed for the process: a request line at debug level costs nothing when it is off.
  const logRequests = log.isLevelEnabled('debug');
  let inFlight = 0;
  let waiters: Array<() => void> = [];

  const server = createServer({ requireHostHeader: false }, (req, res) => {
    const started = process.hrtime.bigint();
    inFlight++;
    metrics.inFlight.inc();
    captureRawTarget(req);
    const operation = operationOf(req.method ?? 'GET', req.url ?? '/');
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const status = res.writableFinished ? res.statusCode : 499; // 499: the client went away first
      metrics.requests.inc({ operation, status });
      metrics.inFlight.dec();
      metrics.duration.observe({ operation }, seconds);
      if (logRequests)
        log.debug({ operation, method: req.method, status, ms: Math.round(seconds * 1e4) / 10 }, 'request');
      if (--inFlight === 0) {
        for (const wake of waiters) wake();
        waiters = [];
      }
    });
    listener(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'request listener failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  // Large uploads may take longer than Node's default 5-minute request timeout.
  server.requestTimeout = 0;

  // Requests that never reach the app still get a JSON error, and are counted.
  const answerRaw = (socket: Duplex, error: ConnectorError) => {
    socket.end(rawErrorResponse(error));
    metrics.requests.inc({ operation: 'other', status: error.status });
  };
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    answerRaw(socket, new BadRequestError(`malformed request: ${error.message}`));
  });
  // Node hands CONNECT over as a tunnel request; without this it closes the socket unanswered.
  server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    answerRaw(socket, new MethodNotAllowedError('CONNECT', req.url ?? ''));
  });
  // Without a listener Node answers any Expect but 100-continue with an empty 417.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const error = new ExpectationFailedError(String(req.headers.expect));
    const body = errorBody(error);
    res.shouldKeepAlive = false;
    res.writeHead(error.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    metrics.requests.inc({ operation: 'other', status: error.status });
  });

  return {
    server,
    get inFlight() {
      return inFlight;
    },
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}
