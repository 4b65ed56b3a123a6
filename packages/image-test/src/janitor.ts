/**
 * Cleans up after a test process that could not: an interrupted vitest SIGKILLs its workers (its
 * watchdog), so no exit or signal handler of theirs runs. The janitor is a small process of its
 * own, one per test process, told over its stdin which pods and directories exist; when its stdin
 * ends, that is when the test process is gone however it went, it kills the pods still there and
 * removes the directories. It ignores the signals an interrupt sends to the whole process group.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';

const SCRIPT = `
const { readFileSync, rmSync } = require('node:fs');
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
const items = new Map();
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\\n');
  pending = lines.pop();
  for (const line of lines) {
    const message = JSON.parse(line);
    if (message.forget) items.delete(message.forget);
    else items.set(message.id, message);
  }
});
process.stdin.on('end', () => {
  // Newest first: pods die before the directories they use are removed.
  for (const item of [...items.values()].reverse()) {
    try {
      if (item.dir) rmSync(item.dir, { recursive: true, force: true });
      // The pod's pid 1 is the child unshare forked; killing it ends the pod and its mounts.
      else if (readFileSync('/proc/' + item.sandbox + '/comm', 'utf8').trim() === 'unshare')
        for (const pid of readFileSync('/proc/' + item.sandbox + '/task/' + item.sandbox + '/children', 'utf8').trim().split(' '))
          if (pid) process.kill(Number(pid), 'SIGKILL');
    } catch {}
  }
});
`;

let janitor: ChildProcess | undefined;
let lastId = 0;

function tell(message: object): void {
  if (!janitor) {
    janitor = spawn(process.execPath, ['-e', SCRIPT], {
      env: {},
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    // It must not keep the test process alive: it ends with it.
    janitor.unref();
    (janitor.stdin as Socket).unref();
  }
  janitor.stdin?.write(`${JSON.stringify(message)}\n`);
}

/**
 * Hands a pod (by its `unshare` process) or a directory to the janitor, until the returned
 * function says it is cleaned up.
 */
export function leaveToJanitor(item: { sandbox: number } | { dir: string }): () => void {
  lastId += 1;
  const id = lastId;
  tell({ id, ...item });
  return () => tell({ forget: id });
}
