/**
 * What the bench started must stop even when the bench is interrupted: `finally` blocks cover
 * errors, but a SIGINT/SIGTERM would otherwise end this process and orphan connectors and backends.
 * Everything started registers its stop here; on a signal they all run (bounded), then we exit.
 */
type Stop = () => Promise<unknown> | unknown;

const stops = new Set<Stop>();
const GRACE_MS = 20_000;

/** Registers `stop`; call the returned function once it has been stopped normally. */
export function track(stop: Stop): () => void {
  stops.add(stop);
  return () => stops.delete(stop);
}

let installed = false;
let stopping = false;

/** True once a signal has started stopping everything: start nothing new. */
export const isStopping = (): boolean => stopping;

export function stopOnSignals(): void {
  if (installed) return;
  installed = true;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal while stopping: the user insists, go now.
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(`bench: ${signal}, stopping what was started\n`);
    const all = Promise.allSettled([...stops].reverse().map(async (stop) => stop()));
    const timeout = new Promise((resolve) => setTimeout(resolve, GRACE_MS).unref());
    Promise.race([all, timeout]).finally(() => process.exit(130));
  };
  // `on`, not `once`: signal-exit (loaded with testcontainers by test-backends) re-raises the
  // signal, killing us mid-cleanup, when it finds itself the only listener left.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
