/**
 * What the demo started must stop even when it is interrupted: `finally` blocks cover errors, but
 * a SIGINT/SIGTERM (Ctrl-C) would end this process at once and orphan the connectors and their
 * socket directories. Everything started registers its stop here; on a signal they all run
 * (bounded), then the process exits 130.
 */
type Stop = () => Promise<unknown> | unknown;

const stops = new Set<Stop>();
const GRACE_MS = 20_000;
let stopping = false;

/** Registers `stop`; call the returned function once it has been stopped normally. */
export function track(stop: Stop): () => void {
  stops.add(stop);
  return () => stops.delete(stop);
}

/** True once a signal has started stopping everything: the demo's own errors are noise then. */
export const isStopping = (): boolean => stopping;

export function stopOnSignals(say: (line: string) => void): void {
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal while stopping: the user insists, go now.
    if (stopping) process.exit(130);
    stopping = true;
    say(`\n${signal}: stopping the connectors this demo started...`);
    const all = Promise.allSettled([...stops].map(async (stop) => stop()));
    const timeout = new Promise((resolve) => setTimeout(resolve, GRACE_MS).unref());
    Promise.race([all, timeout]).finally(() => process.exit(130));
  };
  // `on`, not `once`: signal-exit (loaded with testcontainers by test-backends) re-raises the
  // signal, killing us mid-cleanup, when it finds itself the only listener left.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
