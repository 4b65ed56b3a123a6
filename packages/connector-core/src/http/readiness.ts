/**
 * `/readyz`: the connector's checkReady with a deadline of its own, so a backend that hangs is
 * "not ready" within the probe's timeout instead of after the backend client's. Probes that come
 * while a check runs share it (a hung backend never piles up checks), and the log gets one line
 * when readiness changes, with the cause, not one stack per probe.
 */
import type { Logger } from 'pino';
import type { Connector } from '../connector.js';
import { TimeoutError, toConnectorError } from '../errors.js';

export type ReadinessAnswer = { ready: true } | { ready: false; reason: string };

export class Readiness {
  #running: Promise<void> | undefined;
  /** What the last check said; undefined before the first. */
  #ready: boolean | undefined;

  constructor(
    private readonly connector: Pick<Connector, 'checkReady'>,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  async check(): Promise<ReadinessAnswer> {
    this.#running ??= this.connector.checkReady().finally(() => {
      this.#running = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(`the backend did not answer the readiness check within ${this.timeoutMs} ms`),
          ),
        this.timeoutMs,
      );
    });
    try {
      await Promise.race([this.#running, deadline]);
      this.#changed(true);
      return { ready: true };
    } catch (error) {
      const cause = toConnectorError(error);
      this.#changed(false, cause);
      return { ready: false, reason: cause.message };
    } finally {
      clearTimeout(timer);
    }
  }

  #changed(ready: boolean, cause?: ReturnType<typeof toConnectorError>): void {
    if (ready === this.#ready) return;
    this.#ready = ready;
    if (ready) this.log.info('backend ready');
    else if (cause?.code === 'internal_error')
      this.log.error({ err: cause.cause ?? cause }, 'backend not ready');
    else this.log.warn({ code: cause?.code, cause: cause?.message }, 'backend not ready');
  }
}
