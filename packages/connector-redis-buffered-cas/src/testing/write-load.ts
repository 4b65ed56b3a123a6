/**
 * Writes under way while a test breaks Redis: workers each PUT unique values to keys of their own
 * through one connector (a new connection per request, as the runtime does), and record every
 * answer. Bounded in count and in time, whatever happens to Redis.
 */
import { randomBytes } from 'node:crypto';
import { ConnectorClient } from '@state-proxy/connector-core/testing';

export interface Answer {
  key: string;
  value: string;
  status: number;
  /** The error message of a non-2xx answer. */
  message?: string;
  /** When the request was sent and answered (Date.now()). */
  sentAt: number;
  at: number;
}

export interface WriteLoadOptions {
  workers: number;
  /** Every worker stops after this many writes... */
  maxWritesPerWorker: number;
  /** ...or this long after start, whichever comes first. */
  maxMs: number;
  /** The key of a worker's n-th write (default `load/w{worker}/{n}`). */
  keyFor?: (worker: number, n: number) => string;
}

export class WriteLoad {
  readonly answers: Answer[] = [];
  readonly #client: ConnectorClient;
  readonly #options: WriteLoadOptions;
  readonly #run = randomBytes(3).toString('hex');
  #stopped = false;
  #done: Promise<void> | undefined;

  constructor(socketPath: string, options: WriteLoadOptions) {
    this.#client = new ConnectorClient(socketPath);
    this.#options = options;
  }

  start(): void {
    const deadline = Date.now() + this.#options.maxMs;
    const keyFor = this.#options.keyFor ?? ((worker: number, n: number) => `load/w${worker}/${n}`);
    const worker = async (id: number) => {
      for (let n = 0; n < this.#options.maxWritesPerWorker && !this.#stopped && Date.now() < deadline; n++) {
        const key = keyFor(id, n);
        const value = `${this.#run}-${id}-${n}`;
        const sentAt = Date.now();
        const res = await this.#client.put(key, value).catch((error: Error) => ({
          status: 0,
          body: Buffer.from(JSON.stringify({ message: `no answer: ${error.message}` })),
        }));
        const answer: Answer = { key, value, status: res.status, sentAt, at: Date.now() };
        if (res.status !== 204 && res.body.length > 0) {
          answer.message = (JSON.parse(res.body.toString()) as { message?: string }).message;
        }
        this.answers.push(answer);
      }
    };
    this.#done = Promise.all(Array.from({ length: this.#options.workers }, (_, id) => worker(id))).then(
      () => {},
    );
  }

  /** Resolves once `count` more answers with `status` have come (or the load ended: false). */
  async waitFor(status: number, count: number, since = 0): Promise<boolean> {
    for (;;) {
      if (this.answers.filter((a) => a.sentAt >= since && a.status === status).length >= count) return true;
      if (this.#stopped || (await isSettled(this.#done))) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<Answer[]> {
    this.#stopped = true;
    await this.#done;
    this.#client.close();
    return this.answers;
  }
}

async function isSettled(promise: Promise<void> | undefined): Promise<boolean> {
  if (promise === undefined) return true;
  const pending = Symbol('pending');
  return (await Promise.race([promise.then(() => true), Promise.resolve(pending)])) !== pending;
}

/** How many answers of each status, e.g. `{ 204: 812, 503: 40 }`. */
export function statusCounts(answers: Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
