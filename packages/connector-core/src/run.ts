/**
 * Process lifecycle. `runConnector` is a variant's whole main: config from env, serve, log, drain
 * on SIGTERM. `serveConnector` serves a connector on a Unix socket: its last step, and the tests'
 * way to serve one in-process.
 */
import { constants } from 'node:fs';
import { access, lstat, mkdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { withCompareAndSet } from './compare-and-set.js';
import { ConfigError, type CoreConfig, coreConfigWith, type Env, readCoreConfig } from './config.js';
import type { Connector, VariantDeclaration } from './connector.js';
import { createApp } from './http/app.js';
import { createProtocolServer } from './http/server.js';
import { MemoryBudget } from './memory-budget.js';
import { Metrics } from './metrics.js';
import { createLogger } from './observability.js';
import { paceFullGcs } from './release-memory.js';
import { removeStaleSpoolFiles } from './spool.js';

/**
 * The shared settings, an unset one its default (coreConfigWith), and what serveConnector needs
 * besides. Not here: `prefix`, `logLevel` and `casMemoryBytes`, which the caller applies (to the
 * connector it builds, its logger, withCompareAndSet).
 */
export interface ServeOptions extends Partial<Omit<CoreConfig, 'prefix' | 'logLevel' | 'casMemoryBytes'>> {
  socketPath: string;
  /** How request bodies reach `write` (VariantDeclaration['writeMode']); default `buffered`. */
  writeMode?: VariantDeclaration['writeMode'];
  /** The memory budget for bodies, shared with the connector; by default one of `memoryBudgetBytes`. */
  memory?: MemoryBudget;
  /** Default: silent. */
  log?: Logger;
  /** Add process metrics (RSS, event loop lag...) to /metrics. Default true. */
  processMetrics?: boolean;
}

export interface ServingConnector {
  socketPath: string;
  /**
   * Stops accepting, lets in-flight requests finish, closes the connector, removes the socket,
   * all within `graceMs`: requests still running at `graceMs` minus the cleanup reserve are cut,
   * and the reserve is theirs to abort their writes and clean up (spool files, multipart uploads).
   */
  close(graceMs?: number): Promise<void>;
}

/** The end of the grace kept for cut requests to clean up: 2 s, or a quarter of a short grace. */
function cleanupReserveMs(graceMs: number): number {
  return Math.min(2_000, Math.floor(graceMs / 4));
}

/** Resolves when `done` does or after `ms`, whichever is first; true if `done` did. */
async function within(done: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const over = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  try {
    return await Promise.race([done.then(() => true), over]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A socket file left by a previous run is removed. One that something still accepts on belongs
 * to a running process (a second connector started on the same path): an error, as is any other
 * file there.
 */
async function removeStaleSocket(path: string): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (!existing) return;
  if (!existing.isSocket()) throw new ConfigError(`CONNECTOR_SOCKET ${path} exists and is not a socket`);
  const found = await probeSocket(path);
  if (found === 'listening')
    throw new ConfigError(`CONNECTOR_SOCKET ${path} is in use by a running process; refusing to replace it`);
  if (found === 'stale') await rm(path, { force: true });
}

/** Connects to the socket at `path` and hangs up: whether a process listens on it. */
function probeSocket(path: string): Promise<'listening' | 'stale' | 'gone'> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve('listening');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve('stale');
      else if (error.code === 'ENOENT') resolve('gone');
      // Its backlog is full: a process listens, too busy to accept at once.
      else if (error.code === 'EAGAIN') resolve('listening');
      else
        reject(
          new ConfigError(
            `CONNECTOR_SOCKET ${path} exists and cannot be connected to (${error.code}): is a running process using it?`,
          ),
        );
    });
  });
}

/** Linux's limit for a Unix socket path (sun_path is 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 107;

/**
 * The socket's directory exists and this user may create the socket there, and no stale socket
 * is in the way; ConfigError naming the fix if not. Idempotent: runConnector checks it before the
 * connector opens its backend connection, serveConnector again before it listens.
 */
async function prepareSocketPath(path: string): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES)
    throw new ConfigError(
      `CONNECTOR_SOCKET ${path} is ${Buffer.byteLength(path)} bytes long; a Unix socket path has at most ${MAX_SOCKET_PATH_BYTES}: choose a shorter one`,
    );
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'this user may not create it: mount a writable volume there'
        : code === 'EEXIST' || code === 'ENOTDIR'
          ? 'a file is in the way of it: choose another path'
          : 'it cannot be created';
    throw new ConfigError(
      `CONNECTOR_SOCKET ${path}: its directory ${dir} does not exist and ${why} (${code})`,
    );
  }
  try {
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `CONNECTOR_SOCKET ${path}: this user may not create a socket in ${dir} (${code}): mount a writable volume there`,
    );
  }
  await removeStaleSocket(path);
}

/**
 * Serves `connector` on `options.socketPath` until `close`: what runConnector does once `create`
 * has given the connector, and how tests serve a connector in-process.
 */
export async function serveConnector(connector: Connector, options: ServeOptions): Promise<ServingConnector> {
  const {
    writeMode = 'buffered',
    memory: given,
    log = createLogger('silent'),
    processMetrics = true,
    ...settings
  } = options;
  const core = coreConfigWith(settings);
  const memory = given ?? new MemoryBudget(core.memoryBudgetBytes, core.memoryWaitMs);
  paceFullGcs(memory.totalBytes);
  const metrics = new Metrics({
    processMetrics,
    memory,
    inFlight: () => protocol.inFlight, // read at scrape time, once the server below exists
  });
  const app = createApp({
    connector,
    writeMode,
    log,
    metrics,
    readyTimeoutMs: core.readyTimeoutMs,
    body: {
      maxBodyBytes: core.maxBodyBytes,
      idleTimeoutMs: core.bodyIdleTimeoutMs,
      timeoutMs: core.bodyTimeoutMs,
      budget: memory,
      // A streaming variant's bodies never touch the disk: it needs no writable directory.
      spool:
        writeMode === 'streaming'
          ? undefined
          : { memoryBytes: core.spoolMemoryBytes, dir: core.spoolDir, budget: memory },
    },
  });
  const protocol = createProtocolServer(app, {
    log,
    metrics,
    headersTimeoutMs: core.headersTimeoutMs,
    maxRequests: core.maxRequests,
  });
  const { server } = protocol;

  await prepareSocketPath(core.socketPath);
  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(new ConfigError(`CONNECTOR_SOCKET ${core.socketPath}: cannot listen there (${error.code})`));
    server.once('error', failed);
    // The socket gets its mode as bind() creates it, through the umask: a chmod of the path
    // afterwards would follow a symlink put there in between. listen() binds a Unix socket
    // before it returns, so the umask is ours only for that call.
    const umask = process.umask(~core.socketMode & 0o777);
    try {
      server.listen(core.socketPath, () => {
        server.off('error', failed);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });

  let closing: Promise<void> | undefined;
  return {
    socketPath: core.socketPath,
    close(graceMs = core.shutdownGraceMs) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const reserveMs = cleanupReserveMs(graceMs);
        if (!(await within(protocol.idle(), graceMs - reserveMs))) {
          log.warn({ inFlight: protocol.inFlight }, 'grace period over, closing requests');
          // Their bodies fail: writes are aborted, spool files removed, multipart uploads aborted.
          server.closeAllConnections();
          if (!(await within(protocol.idle(), reserveMs)))
            log.warn({ inFlight: protocol.inFlight }, 'requests still cleaning up at exit');
        }
        await closed;
        await connector
          .close()
          .catch((error: unknown) => log.warn({ err: error }, 'closing the backend failed'));
        await rm(core.socketPath, { force: true });
      })();
      return closing;
    },
  };
}

/** What `create` gets besides the environment. */
export interface CreateContext {
  /** The settings every connector shares, read from the environment (STATE_PREFIX is `core.prefix`). */
  core: CoreConfig;
  log: Logger;
  /** The budget a connector takes its share from for body bytes it holds (backend I/O chunks). */
  memory: MemoryBudget;
}

export interface RunOptions {
  /** What the variant is (its package's `src/variant.ts`). */
  variant: VariantDeclaration;
  /**
   * Builds the connector from the environment, at once or as a promise (a backend to open, a
   * directory to make); throws or rejects with ConfigError for a bad setting. `backend` says
   * where it stores, for the start log line (credentials masked). The CAS memory is not yours to
   * add: runConnector wraps a `cas` variant's connector in withCompareAndSet.
   */
  create(env: Env, context: CreateContext): Created | Promise<Created>;
}

/** What `create` gives: the connector, and where it stores (masked) for the start log line. */
export interface Created {
  connector: Connector;
  backend: string;
}

/**
 * A variant's whole main: settings from the environment, the connector from `create`, served on
 * CONNECTOR_SOCKET until SIGTERM/SIGINT. Exits 1 with one line on a bad setting (ConfigError),
 * 0 after a graceful shutdown.
 *
 * @example
 * runConnector({
 *   variant, // { name: 'my-store', consistency: 'lww', writeMode: 'buffered', defaultMaxBodyBytes: 64 * MiB, attributes: [] }
 *   create: (env, { core }) => ({
 *     connector: new MyStoreConnector(requireString(env, 'MY_STORE_URL'), core.prefix),
 *     backend: maskUrlCredentials(env.MY_STORE_URL ?? ''),
 *   }),
 * });
 */
export function runConnector(options: RunOptions): void {
  run(options).catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    }
    process.exit(1);
  });
}

async function run(options: RunOptions): Promise<void> {
  const { variant } = options;
  const core = readCoreConfig(process.env, { maxBodyBytes: variant.defaultMaxBodyBytes });
  const log = createLogger(core.logLevel, { variant: variant.name });
  // Signals are handled from the start: a SIGTERM that comes while the connector is being set up
  // (its socket may already accept a request) still ends in a clean shutdown, not a kill.
  let serving: ServingConnector | undefined;
  let signalled: string | undefined;
  const shutdown = (signal: string) => {
    signalled ??= signal;
    if (!serving) return; // done below, once the server is up
    log.info({ signal, graceMs: core.shutdownGraceMs }, 'shutting down');
    serving.close(core.shutdownGraceMs).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  // A request never takes the process down: anything that escapes is logged and the server goes on.
  process.on('uncaughtException', (error) => log.error({ err: error }, 'uncaught exception'));
  process.on('unhandledRejection', (error) => log.error({ err: error }, 'unhandled rejection'));

  const started = await startVariant(options, process.env, core, log);
  serving = started.serving;
  log.info(
    {
      prefix: core.prefix,
      backend: started.backend,
      socket: core.socketPath,
      maxBodyBytes: core.maxBodyBytes ?? null,
      memoryBudgetBytes: started.memoryBudgetBytes,
      pid: process.pid,
    },
    'connector listening',
  );
  if (signalled) shutdown(signalled);
}

/**
 * What runConnector does, without the process around it (signals, exit codes): the connector
 * created from `env` and wrapped as its variant declares, served with the settings `core`.
 * Internal: startInProcess (the testing subpath) serves a variant with it.
 */
export async function startVariant(
  options: RunOptions,
  env: Env,
  core = readCoreConfig(env, { maxBodyBytes: options.variant.defaultMaxBodyBytes }),
  log: Logger = createLogger('silent'),
) {
  const { variant } = options;
  // What can stop the start is checked before `create` opens the backend connection: a fatal
  // error is then its one line, with no log of that connection before or after it.
  await prepareSocketPath(core.socketPath);
  const memory = new MemoryBudget(core.memoryBudgetBytes, core.memoryWaitMs);
  const created = await options.create(env, { core, log, memory });
  const connector =
    variant.consistency === 'cas'
      ? withCompareAndSet(created.connector, core.casMemoryBytes)
      : created.connector;
  if (variant.writeMode === 'buffered') {
    const stale = await removeStaleSpoolFiles(core.spoolDir);
    if (stale.length > 0)
      log.warn({ files: stale, dir: core.spoolDir ?? tmpdir() }, 'removed stale spool files');
  }
  const serving = await serveConnector(connector, { ...core, writeMode: variant.writeMode, memory, log });
  return { serving, backend: created.backend, memoryBudgetBytes: memory.totalBytes };
}
