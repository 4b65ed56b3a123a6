// Last-resort cleanup when the process ends without calling stop(): kill our daemons and remove
// their temp dirs, so an aborted test run leaves no servers behind. Only synchronous work is
// possible in an 'exit' handler, so each cleanup must be synchronous.

type SyncCleanup = () => void;

const cleanups = new Set<SyncCleanup>();
const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function runAll(): void {
  // Newest first, like unwinding: a daemon dies before the temp dir it lives in is removed.
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: one failing cleanup must not keep the others from running.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  runAll();
  process.removeListener(signal, onSignal);
  // We only wanted to clean up, not to swallow the signal: when nobody else handles it, re-raise
  // it so the process ends the way it would have without us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  // First in line, so that listeners which re-raise the signal only when they are alone (signal-exit,
  // which testcontainers loads) see that we are gone and let the process end.
  for (const signal of signals) process.prependListener(signal, onSignal);
}

/** Runs `cleanup` when the process exits or is signalled, unless the returned function is called first. */
export function onProcessExit(cleanup: SyncCleanup): () => void {
  install();
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
