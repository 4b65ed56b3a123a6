/** JSON logs (pino). Metrics are in metrics.ts. */
import { type Logger, pino } from 'pino';
import type { LogLevel } from './config.js';

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base,
    // Defence in depth: whatever a log call passes, these fields never reach the output.
    redact: { paths: ['password', '*.password', 'secretAccessKey', '*.secretAccessKey'], censor: '***' },
  });
}
