/**
 * The Node HTTP server around the app: raw-target capture, one log line and metrics per request,
 * in-flight tracking for graceful shutdown, and JSON errors for what never reaches the app:
 * requests Node cannot parse (400), headers not sent in time (408), CONNECT (405), an unsupported
 * Expect (417), one request more than STATE_MAX_REQUESTS in flight (503).
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
  RequestTimeoutError,
  UnavailableError,
} from '../errors.js';
import type { Metrics, Operation, OperationCounts } from '../metrics.js';
import type { createApp } from './app.js';
import { errorBody, rawErrorResponse } from './responses.js';
import { captureTarget } from './target.js';

/** Open connections allowed per request slot (STATE_MAX_REQUESTS): room for idle keep-alive ones. */
const CONNECTIONS_PER_REQUEST_SLOT = 4;

/** Probes and scrapes are cheap and needed most when the connector is busiest: never turned away. */
const ALWAYS_ANSWERED: ReadonlySet<Operation> = new Set(['healthz', 'readyz', 'metrics']);

/** What a response carries until it closes: its counts and start time (no closure per request). */
const STARTED = Symbol('started');
const COUNTS = Symbol('counts');
type TrackedResponse = ServerResponse & { [STARTED]: number; [COUNTS]: OperationCounts };

export interface ProtocolServer {
  server: Server;
  /** Requests not yet finished: answered, and their handler done (a cut upload cleaned up). */
  readonly inFlight: number;
  /** Resolves when no request is in flight. */
  idle(): Promise<void>;
}

export interface ProtocolServerOptions {
  log: Logger;
  metrics: Metrics;
  /** A request's headers must have arrived this long after its connection or previous request. */
  headersTimeoutMs: number;
  /** Requests handled at once; one more is answered 503 before any work is done for it. */
  maxRequests: number;
}

export function createProtocolServer(
  app: ReturnType<typeof createApp>,
  { log, metrics, headersTimeoutMs, maxRequests }: ProtocolServerOptions,
): ProtocolServer {
  // The runtime talks over a Unix socket and may omit Host; it is meaningless here anyway.
  const listener = getRequestListener(app.fetch, { hostname: 'localhost' });
  // Fixed for the process: a request line at debug level costs nothing when it is off.
  const logRequests = log.isLevelEnabled('debug');
  // Two counts: a response can close before its handler ends (a cut upload still aborting its
  // write, removing its spool file) and a handler can end before its response is flushed.
  let openResponses = 0;
  let runningHandlers = 0;
  let waiters: Array<() => void> = [];
  const wakeIfIdle = () => {
    if (openResponses > 0 || runningHandlers > 0) return;
    for (const wake of waiters) wake();
    waiters = [];
  };
  const handlerDone = () => {
    runningHandlers--;
    wakeIfIdle();
  };
  function responseClosed(this: TrackedResponse) {
    const seconds = (performance.now() - this[STARTED]) / 1000;
    const status = this.writableFinished ? this.statusCode : 499; // 499: the client went away first
    this[COUNTS].finished(status, seconds);
    if (logRequests) {
      const { operation } = this[COUNTS];
      log.debug(
        { operation, method: this.req.method, status, ms: Math.round(seconds * 1e4) / 10 },
        'request',
      );
    }
    openResponses--;
    wakeIfIdle();
  }

  const server = createServer(
    {
      requireHostHeader: false,
      // Large uploads may take longer than Node's default 5-minute request timeout; a stalled
      // body has its own timeout (body.ts).
      requestTimeout: 0,
      headersTimeout: headersTimeoutMs,
      // Node checks the headers deadline on this interval: answered within 1.25x the setting.
      connectionsCheckingInterval: Math.max(1, Math.floor(headersTimeoutMs / 4)),
    },
    handleRequest,
  );
  // Each open connection holds its socket and parser (about 10 KiB of heap) even between
  // requests: beyond this many, Node closes new ones at once instead of letting the heap fill.
  server.maxConnections = maxRequests * CONNECTIONS_PER_REQUEST_SLOT;

  function handleRequest(req: IncomingMessage, res: ServerResponse): void {
    const tracked = res as TrackedResponse;
    tracked[STARTED] = performance.now();
    const { operation } = captureTarget(req);
    tracked[COUNTS] = metrics.of(operation);
    openResponses++;
    res.once('close', responseClosed);
    if (runningHandlers >= maxRequests && !ALWAYS_ANSWERED.has(operation)) {
      answerBusy(res);
      return;
    }
    runningHandlers++;
    listener(req, res).then(handlerDone, (error: unknown) => {
      log.error({ err: error }, 'request listener failed');
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
      handlerDone();
    });
  }

  // Precomputed: the answer is for when the process is busiest.
  const busy = new UnavailableError(
    `${maxRequests} requests are in flight, the most this connector handles at once (STATE_MAX_REQUESTS): retry shortly`,
  );
  const busyBody = errorBody(busy);
  const busyHeaders = {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(busyBody)),
    'Retry-After': '1',
    // Its body, if any, is left unread.
    Connection: 'close',
  };
  const answerBusy = (res: ServerResponse) => res.writeHead(busy.status, busyHeaders).end(busyBody);

  // Requests that never reach the app still get a JSON error, and are counted.
  const answerRaw = (socket: Duplex, error: ConnectorError) => {
    socket.end(rawErrorResponse(error));
    metrics.of('other').answered(error.status);
  };
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      answerRaw(socket, new RequestTimeoutError(headersTimeoutMs, 'headers'));
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
    metrics.of('other').answered(error.status);
  });

  return {
    server,
    get inFlight() {
      return Math.max(openResponses, runningHandlers);
    },
    idle: () =>
      openResponses === 0 && runningHandlers === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push(resolve)),
  };
}
