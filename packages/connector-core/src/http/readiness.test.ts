import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../errors.js';
import { Readiness } from './readiness.js';

/** A logger whose lines land in `lines`. */
function capturingLogger() {
  const lines: Array<{ level: number; msg: string; cause?: string; err?: unknown }> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

/** A checkReady the test settles by hand, counting calls. */
function manualBackend() {
  const backend = {
    calls: 0,
    settle: (_error?: Error) => {},
    checkReady() {
      backend.calls++;
      return new Promise<void>((resolve, reject) => {
        backend.settle = (error) => (error ? reject(error) : resolve());
      });
    },
  };
  return backend;
}

describe('Readiness', () => {
  it('answers not ready when the backend does not answer within the deadline', async () => {
    const backend = manualBackend();
    const readiness = new Readiness(backend, 20, capturingLogger().log);
    expect(await readiness.check()).toEqual({
      ready: false,
      reason: 'the backend did not answer the readiness check within 20 ms',
    });
    backend.settle();
  });

  it('runs one check at a time: probes during a check share it', async () => {
    const backend = manualBackend();
    const readiness = new Readiness(backend, 60_000, capturingLogger().log);
    const first = readiness.check();
    const second = readiness.check();
    backend.settle();
    expect(await Promise.all([first, second])).toEqual([{ ready: true }, { ready: true }]);
    expect(backend.calls).toBe(1);
    const third = readiness.check();
    backend.settle();
    await third;
    expect(backend.calls).toBe(2);
  });

  it('says why it is not ready, and logs one line per change of state, without a stack', async () => {
    const { log, lines } = capturingLogger();
    const backend = manualBackend();
    const readiness = new Readiness(backend, 60_000, log);
    const answers = [];
    for (const outcome of [
      undefined,
      new UnavailableError('Redis is down'),
      new UnavailableError('Redis is down'),
      undefined,
    ]) {
      const answer = readiness.check();
      backend.settle(outcome);
      answers.push(await answer);
    }
    expect(answers).toEqual([
      { ready: true },
      { ready: false, reason: 'Redis is down' },
      { ready: false, reason: 'Redis is down' },
      { ready: true },
    ]);
    expect(lines.map((line) => [line.msg, line.cause])).toEqual([
      ['backend ready', undefined],
      ['backend not ready', 'Redis is down'],
      ['backend ready', undefined],
    ]);
    expect(lines.some((line) => line.err !== undefined)).toBe(false);
  });
});
