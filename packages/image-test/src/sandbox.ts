/**
 * Running a command inside an image's root directory the way a container runtime would under
 * Kubernetes' restricted pod security, with the tools of a Debian host (root) and no Docker engine:
 *
 * - `unshare --mount --pid --fork`: its own mount namespace, so every mount below vanishes with the
 *   process (nothing to unmount, even after a crash), and its own pid namespace, in which the
 *   command is pid 1 as in a container (it gets the SIGTERM, a restarted one has the same pid).
 *   The network namespace is the host's, so backends on 127.0.0.1 are reachable.
 * - the root directory bind-mounted onto itself so it can be remounted read-only
 *   (`readOnlyRootFilesystem: true`), after the volumes are mounted at their paths in it;
 * - /proc for this pid namespace and a /dev with the few devices a runtime provides;
 * - `setpriv --no-new-privs` (`allowPrivilegeEscalation: false`) with a bounding set of only what
 *   `chroot` needs to switch user, then `chroot --userspec=UID:GID --groups=`: the command runs as
 *   that user with no supplementary groups, and the switch from root clears every capability it
 *   had (`capabilities: drop: [ALL]`); with no_new_privs nothing can bring one back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What a Docker image starts with unless it says otherwise (distroless sets the same). */
export const IMAGE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const SCRIPT = `
set -eu
root=$1 mode=$2 user=$3
shift 3
mount --bind "$root" "$root"
while [ "$1" != "--" ]; do
  mount --bind "$1" "$root$2"
  shift 2
done
shift
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t tmpfs -o nosuid,noexec,mode=755,size=64k tmpfs "$root/dev"
for device in null zero full random urandom; do
  : >"$root/dev/$device"
  mount --bind "/dev/$device" "$root/dev/$device"
done
mount -o "remount,bind,$mode" "$root"
exec setpriv --no-new-privs --bounding-set=-all,+sys_chroot,+setuid,+setgid -- \\
  chroot --userspec="$user" --groups= "$root" "$@"
`;

export const HOST_TOOLS = ['unshare', 'mount', 'setpriv', 'chroot', 'ldd'] as const;

/** Why this machine cannot run pods, or undefined when it can. */
export function podSupportProblem(): string | undefined {
  const problems: string[] = [];
  if (process.getuid?.() !== 0)
    problems.push(
      `they run as root (mount namespaces, chroot, switching users); this is uid ${process.getuid?.()}`,
    );
  const missing = HOST_TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0)
    problems.push(`they need ${missing.join(', ')} (Debian: util-linux, mount, coreutils, libc-bin)`);
  if (problems.length === 0) return undefined;
  return `the pod tests cannot run here: ${problems.join('; ')}. CI runs ./scripts/test as root on Debian.`;
}

function onPath(tool: string): boolean {
  return IMAGE_PATH.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface SandboxOptions {
  /** The image's root directory on the host. */
  root: string;
  /** false: the root stays writable, as during an image build. */
  readOnly: boolean;
  /** Host directories mounted writable at paths of the root (which must exist there). */
  volumes: { host: string; path: string }[];
  /** `UID:GID`, numeric. */
  user: string;
  argv: string[];
  /** The whole environment of the command: nothing of the host's leaks in. */
  env: Record<string, string>;
}

/** Starts `argv` in the sandbox; its stdout and stderr are piped. The child is `unshare`. */
export function startInSandbox(options: SandboxOptions): ChildProcess {
  if (!/^\d+:\d+$/.test(options.user)) throw new Error(`user must be numeric UID:GID, got '${options.user}'`);
  const volumes = options.volumes.flatMap((volume) => [volume.host, volume.path]);
  const args = [
    options.root,
    options.readOnly ? 'ro' : 'rw',
    options.user,
    ...volumes,
    '--',
    ...options.argv,
  ];
  return spawn(
    'unshare',
    ['--mount', '--pid', '--fork', '--kill-child', '--', '/bin/sh', '-c', SCRIPT, 'sandbox', ...args],
    // PATH finds the host's tools for the script, and is what the image's processes get too.
    { env: { PATH: IMAGE_PATH, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

/**
 * The host pid of the sandboxed command (pid 1 in its namespace): the child unshare forked.
 * Undefined until it exists or once it has gone.
 */
export function sandboxedPid(sandbox: ChildProcess): number | undefined {
  if (sandbox.pid === undefined) return undefined;
  try {
    const children = readFileSync(`/proc/${sandbox.pid}/task/${sandbox.pid}/children`, 'utf8');
    const pid = Number(children.trim().split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
