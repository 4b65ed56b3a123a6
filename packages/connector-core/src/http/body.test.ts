import { createServer, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { TooLargeError, UnavailableError } from '../errors.js';
import { MemoryBudget } from '../memory-budget.js';
import { ByteLimit, ClientDisconnectedError, readSmallBody, spoolRequestBody } from './body.js';

async function drain(chunks: Buffer[], limit: number): Promise<number> {
  let total = 0;
  await pipeline(Readable.from(chunks), new ByteLimit(limit), async (source) => {
    for await (const chunk of source) total += (chunk as Buffer).length;
  });
  return total;
}

describe('ByteLimit', () => {
  it('passes a body of exactly the limit', async () => {
    expect(await drain([Buffer.alloc(60), Buffer.alloc(40)], 100)).toBe(100);
  });

  it('fails with TooLargeError once an over-limit body has ended, having dropped the rest', async () => {
    let passed = 0;
    const limit = new ByteLimit(100, 10_000);
    const result = pipeline(
      Readable.from([Buffer.alloc(60), Buffer.alloc(41), Buffer.alloc(1000)]),
      limit,
      async (source) => {
        for await (const chunk of source) passed += (chunk as Buffer).length;
      },
    );
    await expect(result).rejects.toBeInstanceOf(TooLargeError);
    expect(passed).toBeLessThanOrEqual(60); // never a byte past the limit
  });

  it('fails at once when the body goes on past what it drains', async () => {
    let pulled = 0;
    async function* endless() {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.alloc(100);
      }
    }
    await expect(
      pipeline(endless(), new ByteLimit(100, 1000), async (source) => {
        for await (const _ of source);
      }),
    ).rejects.toBeInstanceOf(TooLargeError);
    expect(pulled).toBeLessThan(20);
  });
});

describe('spoolRequestBody with a Content-Length', () => {
  const servers: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  /** Sends `head` + `sent` raw, ends the connection if `hangUp`, and resolves with what spooling made of it. */
  async function spoolRaw(declared: number, sent: Buffer, hangUp: boolean, budget: MemoryBudget) {
    let spooled!: Promise<{ length: number; bytes: Buffer; inMemory: boolean }>;
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = createServer((req: IncomingMessage, res) => {
      spooled = spoolRequestBody(req, {
        maxBodyBytes: 1 << 20,
        idleTimeoutMs: 30_000,
        timeoutMs: 0,
        budget,
        spool: { memoryBytes: 1 << 20, budget },
      }).then(async (spool) => {
        const result = { length: spool.length, bytes: await spool.buffer(), inMemory: spool.inMemory };
        await spool.dispose();
        res.end();
        return result;
      });
      spooled.catch(() => {});
      arrived();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(`PUT /keys/k HTTP/1.1\r\nHost: x\r\nContent-Length: ${declared}\r\n\r\n`);
    socket.write(sent);
    await requestArrived;
    if (hangUp) socket.destroy();
    try {
      return await spooled;
    } finally {
      socket.destroy();
    }
  }

  it('reads the body whole into memory, holding its budget share until disposed', async () => {
    const budget = new MemoryBudget(4096, 1000);
    const body = Buffer.from('x'.repeat(1000));
    const result = await spoolRaw(1000, body, false, budget);
    expect(result).toEqual({ length: 1000, bytes: body, inMemory: true });
    expect(budget.availableBytes).toBe(4096);
  });

  it('fails with ClientDisconnectedError when the client hangs up mid-body, and gives its share back', async () => {
    const budget = new MemoryBudget(4096, 1000);
    await expect(spoolRaw(1000, Buffer.alloc(10), true, budget)).rejects.toBeInstanceOf(
      ClientDisconnectedError,
    );
    expect(budget.availableBytes).toBe(4096);
  });
});

describe('readSmallBody without a spool (a streaming variant)', () => {
  const servers: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
  });

  /** Sends a PUT with `body` (chunked when `chunked`) and resolves with what readSmallBody made of it. */
  async function readRaw(body: string, chunked: boolean, budget: MemoryBudget) {
    let read!: Promise<Buffer>;
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = createServer((req: IncomingMessage, res) => {
      read = readSmallBody(req, 1024, {
        maxBodyBytes: 1 << 20,
        idleTimeoutMs: 30_000,
        timeoutMs: 0,
        budget,
        spool: undefined,
      });
      read.then(
        () => res.end(),
        () => res.end(),
      );
      arrived();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    const framing = chunked
      ? `Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`
      : `Content-Length: ${body.length}\r\n\r\n${body}`;
    socket.write(`PUT /meta/k HTTP/1.1\r\nHost: x\r\n${framing}`);
    await requestArrived;
    return { read, done: () => socket.destroy() };
  }

  it('waits for its share while the budget is busy, then reads the body, sized or chunked', async () => {
    for (const chunked of [false, true]) {
      const budget = new MemoryBudget(4096, 5000);
      const busy = budget.tryReserve(4096)!;
      const { read, done } = await readRaw('{"value":"7"}', chunked, budget);
      try {
        expect(budget.waitingCount).toBe(1);
        busy.release();
        expect((await read).toString()).toBe('{"value":"7"}');
        expect(budget.availableBytes).toBe(4096);
      } finally {
        done();
      }
    }
  });

  it('answers 503 when the budget stays busy for its wait', async () => {
    const budget = new MemoryBudget(4096, 50);
    const busy = budget.tryReserve(4096)!;
    const { read, done } = await readRaw('{"value":"7"}', false, budget);
    try {
      await expect(read).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      busy.release();
      done();
    }
  });
});
