/**
 * Last resort when a test process ends without its afterAll hooks (a crash, a timeout that kills
 * the worker): pods are killed and temp dirs removed. Only synchronous work runs at exit.
 */
const cleanups = new Set<() => void>();
let installed = false;

/** Runs `cleanup` at process exit unless the returned function is called first. */
export function onExit(cleanup: () => void): () => void {
  if (!installed) {
    installed = true;
    process.once('exit', () => {
      // Newest first: a pod dies before the directories it uses are removed.
      for (const each of [...cleanups].reverse()) {
        try {
          each();
        } catch {
          // best effort: one failure must not keep the others from running
        }
      }
    });
  }
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
