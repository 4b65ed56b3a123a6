/**
 * The load phases of the container scenario, each bounded in operations and in time, all through
 * the connector's socket (routes: /keys/<key>, /keys/?prefix=, /meta/<key>?attr=).
 *
 * Keys are one per worker, and each worker's first operation is its PUT: CAS variants make a plain
 * PUT conditional on the version the process last saw of that key (the bench cells rely on the
 * same), and with a single writer per key that is always its own last write, so no 409 is expected
 * and none is accepted.
 */
import { randomBytes } from 'node:crypto';
import { patternBody, slowBody } from './bodies.js';
import { runLoad } from './load.js';
import type { Outcomes } from './outcomes.js';
import { keyPath, listPath, metaPath, type Reply, SocketHttp } from './socket-http.js';

export interface PhaseContext {
  /** The socket of the connector now running (restarted ones get a new one). */
  socketPath: string;
  outcomes: Outcomes;
}

export interface Phase {
  name: string;
  run(context: PhaseContext): Promise<void>;
}

export interface PhaseOptions {
  quick: boolean;
  /** The large single PUT+GET sizes: 64 MiB and the variant's capped max body size. */
  largeBytes: number[];
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** Failures after which a phase stops: a dead connector should end it at once, not in 20 s. */
const MAX_FAILURES = 50;
/** One request: above the connector's 10 s wait for memory (then 503), below a phase's bound. */
const REQUEST_TIMEOUT_MS = 20_000;
/** One large PUT or GET: 512 MiB at a slow 10 MiB/s still fits. */
const LARGE_TIMEOUT_MS = 60_000;

const lengthIs = (bytes: number) => (r: Reply) =>
  r.bytes === bytes ? undefined : `${r.bytes} body bytes, expected ${bytes}`;
const contentLengthIs = (bytes: number) => (r: Reply) =>
  r.headers['content-length'] === String(bytes)
    ? undefined
    : `Content-Length ${r.headers['content-length']}, expected ${bytes}`;

interface Bounds {
  ms: number;
  maxOps: number;
}

/** Full-run bounds, or a tenth of the operations and 2 s with --quick. */
const bounds = (quick: boolean, ms: number, maxOps: number): Bounds =>
  quick ? { ms: Math.min(ms, 2000), maxOps: Math.max(1, Math.ceil(maxOps / 10)) } : { ms, maxOps };

const loadOptions = (concurrency: number, b: Bounds) => ({
  concurrency,
  durationMs: b.ms,
  warmupMs: 0,
  maxOps: b.maxOps,
  maxErrors: MAX_FAILURES,
});

/** GET 4, PUT 3, HEAD 2, list 1 in ten, on the worker's own key. */
const MIX = ['GET', 'PUT', 'GET', 'HEAD', 'PUT', 'GET', 'LIST', 'PUT', 'GET', 'HEAD'] as const;

function mixed(label: string, bytes: number, concurrency: number, b: Bounds): Phase {
  const name = `${label}-mixed-c${concurrency}`;
  return {
    name,
    async run({ socketPath, outcomes }) {
      const http = new SocketHttp(socketPath);
      const body = randomBytes(bytes);
      const written: boolean[] = [];
      const dir = (worker: number) => `container/${name}/w${worker}/`;
      const timeoutMs = REQUEST_TIMEOUT_MS;
      try {
        await runLoad(
          async (worker, seq) => {
            const path = keyPath(`${dir(worker)}value`);
            const op = written[worker] ? MIX[seq % MIX.length]! : 'PUT';
            if (op === 'PUT') {
              if (await outcomes.expect('PUT', http.send({ method: 'PUT', path, body, timeoutMs }), [204]))
                written[worker] = true;
            } else if (op === 'GET') {
              await outcomes.expect(
                'GET',
                http.send({ method: 'GET', path, timeoutMs }),
                [200],
                lengthIs(bytes),
              );
            } else if (op === 'HEAD') {
              const reply = http.send({ method: 'HEAD', path, timeoutMs });
              await outcomes.expect('HEAD', reply, [204], contentLengthIs(bytes));
            } else {
              const reply = http.send({ method: 'GET', path: listPath(dir(worker)), timeoutMs });
              await outcomes.expect('LIST', reply, [200]);
            }
          },
          loadOptions(concurrency, b),
        );
      } finally {
        http.close();
      }
    },
  };
}

function putThenGet(label: string, bytes: number, concurrency: number, b: Bounds): Phase {
  const name = `${label}-put-get-c${concurrency}`;
  return {
    name,
    async run({ socketPath, outcomes }) {
      const http = new SocketHttp(socketPath);
      const body = randomBytes(bytes);
      const written: boolean[] = [];
      const timeoutMs = REQUEST_TIMEOUT_MS;
      try {
        await runLoad(
          async (worker, seq) => {
            const path = keyPath(`container/${name}/w${worker}`);
            if (!written[worker] || seq % 2 === 0) {
              if (await outcomes.expect('PUT', http.send({ method: 'PUT', path, body, timeoutMs }), [204]))
                written[worker] = true;
            } else {
              await outcomes.expect(
                'GET',
                http.send({ method: 'GET', path, timeoutMs }),
                [200],
                lengthIs(bytes),
              );
            }
          },
          loadOptions(concurrency, b),
        );
      } finally {
        http.close();
      }
    },
  };
}

/** One PUT streamed from a generator, then a GET checked for length and CRC-32, then a DELETE. */
function large(bytes: number): Phase {
  const name = `large-${bytes / MiB}MiB`;
  return {
    name,
    async run({ socketPath, outcomes }) {
      const http = new SocketHttp(socketPath);
      const path = keyPath(`container/${name}`);
      const timeoutMs = LARGE_TIMEOUT_MS;
      try {
        const body = patternBody(bytes);
        const put = http.send({
          method: 'PUT',
          path,
          headers: { 'content-length': String(bytes) },
          body: body.stream,
          timeoutMs,
        });
        if (!(await outcomes.expect('PUT', put, [204]))) return;
        const sent = body.crc();
        const get = http.send({ method: 'GET', path, timeoutMs, hash: true });
        await outcomes.expect('GET', get, [200], (r) =>
          r.bytes !== bytes
            ? `${r.bytes} body bytes, expected ${bytes}`
            : r.crc !== sent
              ? 'CRC-32 differs from the PUT body'
              : undefined,
        );
        await outcomes.expect('DELETE', http.send({ method: 'DELETE', path, timeoutMs }), [204]);
      } finally {
        http.close();
      }
    },
  };
}

/** PUTs without Content-Length (Transfer-Encoding: chunked), so the connector cannot size them up front. */
function chunked(bytes: number, concurrency: number, b: Bounds): Phase {
  const name = `chunked-${bytes / MiB}MiB-c${concurrency}`;
  return {
    name,
    async run({ socketPath, outcomes }) {
      const http = new SocketHttp(socketPath);
      const timeoutMs = REQUEST_TIMEOUT_MS;
      try {
        await runLoad(
          async (worker) => {
            const path = keyPath(`container/${name}/w${worker}`);
            const reply = http.send({ method: 'PUT', path, body: patternBody(bytes).stream, timeoutMs });
            await outcomes.expect('PUT', reply, [204]);
          },
          loadOptions(concurrency, b),
        );
      } finally {
        http.close();
      }
    },
  };
}

/** A 1 MiB chunked body to the attribute route, which takes 64 KiB at most: 413, not buffered. */
function metaTooLarge(b: Bounds): Phase {
  return {
    name: 'meta-1MiB-chunked-413',
    async run({ socketPath, outcomes }) {
      const http = new SocketHttp(socketPath);
      const path = metaPath('container/meta/value', 'big');
      const timeoutMs = REQUEST_TIMEOUT_MS;
      try {
        await runLoad(
          async () => {
            const body = patternBody(MiB).stream;
            const headers = { 'content-type': 'application/json' };
            await outcomes.expect(
              'PUT meta',
              http.send({ method: 'PUT', path, headers, body, timeoutMs }),
              [413],
            );
          },
          loadOptions(1, b),
        );
      } finally {
        http.close();
      }
    },
  };
}

/** 32 clients trickling 1 MiB PUTs (64 KiB per 100 ms) while 1 KiB GETs run at c4. */
function slowClients(b: Bounds): Phase {
  return {
    name: 'slow-clients-32',
    async run({ socketPath, outcomes }) {
      const http = new SocketHttp(socketPath);
      const small = randomBytes(KiB);
      const getKey = (worker: number) => keyPath(`container/slow/get/w${worker}`);
      const timeoutMs = 30_000; // a slow PUT alone takes 1.6 s
      try {
        for (let worker = 0; worker < 4; worker++) {
          const put = http.send({ method: 'PUT', path: getKey(worker), body: small, timeoutMs });
          await outcomes.expect('PUT', put, [204]);
        }
        await Promise.all([
          runLoad(
            async (worker) => {
              const body = slowBody(MiB, 64 * KiB, 100);
              const headers = { 'content-length': String(MiB) };
              const path = keyPath(`container/slow/put/w${worker}`);
              const reply = http.send({ method: 'PUT', path, headers, body, timeoutMs });
              await outcomes.expect('slow PUT', reply, [204]);
            },
            loadOptions(32, { ms: b.ms, maxOps: Math.ceil(b.maxOps / 20) }),
          ),
          runLoad(
            async (worker) => {
              const reply = http.send({ method: 'GET', path: getKey(worker), timeoutMs });
              await outcomes.expect('GET', reply, [200], lengthIs(KiB));
            },
            loadOptions(4, b),
          ),
        ]);
      } finally {
        http.close();
      }
    },
  };
}

export function containerPhases({ quick, largeBytes }: PhaseOptions): Phase[] {
  return [
    ...[1, 16, 64, 256].map((c) => mixed('1KiB', KiB, c, bounds(quick, 10_000, 50_000))),
    ...[1, 16, 64].map((c) => mixed('1MiB', MiB, c, bounds(quick, 10_000, 5_000))),
    ...[1, 8].map((c) => putThenGet('8MiB', 8 * MiB, c, bounds(quick, 10_000, 500))),
    ...largeBytes.map((bytes) => large(bytes)),
    chunked(4 * MiB, 4, bounds(quick, 10_000, 500)),
    metaTooLarge(quick ? { ms: 5_000, maxOps: 2 } : { ms: 10_000, maxOps: 8 }),
    slowClients(bounds(quick, 10_000, 20_000)),
  ];
}
