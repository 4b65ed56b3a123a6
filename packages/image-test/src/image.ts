/**
 * An image's root filesystem laid out in a directory as images/Dockerfile makes it: the distroless
 * base it builds on (node at its path, the shared libraries node links and the dynamic loader, the
 * users, /tmp), the final stage's files, and the final stage's build steps (the compile cache, made
 * by the image's node as the image's user in the image's root).
 *
 * The node is the one these tests run on (`process.execPath`, the official Node 24 build, as in
 * distroless), copied with exactly the libraries `ldd` lists for it: the root holds nothing the
 * image would not, so a dependency on the host shows up as a failure here. Bind-mounting the host's
 * /lib and /usr would be as quick but would hide that.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildStep, type FinalStage, readBakeArgs, readFinalStage } from './dockerfile.js';
import { leaveToJanitor } from './janitor.js';
import { podSupportProblem, startInSandbox } from './sandbox.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const DOCKERFILE = join(REPO, 'images/Dockerfile');
const BAKE_FILE = join(REPO, 'images/docker-bake.hcl');
/** The final stage copies it to /app beside the bundle (COPY --from=build /out/compile-cache.mjs /app/). */
const COMPILE_CACHE_SCRIPT = join(REPO, 'scripts/compile-cache.mjs');

/** distroless's users (gcr.io/distroless/base-debian12): the image runs as nonroot. */
const PASSWD = [
  'root:x:0:0:root:/root:/sbin/nologin',
  'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin',
  'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin',
];
const GROUP = ['root:x:0:', 'nobody:x:65534:', 'tty:x:5:', 'staff:x:50:', 'nonroot:x:65532:'];

export interface ImageRoot {
  dir: string;
  stage: FinalStage;
  uid: number;
  gid: number;
  /** The environment the entrypoint starts with: the image's, and HOME as a runtime sets it. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

/** The build args docker-bake.hcl gives a variant's image. */
export async function bakeArgs(variant: string): Promise<Record<string, string>> {
  return readBakeArgs(await readFile(BAKE_FILE, 'utf8'), variant);
}

/** The files a dynamically linked binary needs, from `ldd`'s output: libraries and the loader. */
export function parseLdd(output: string): string[] {
  const paths: string[] = [];
  for (const line of output.split('\n')) {
    if (line.includes('not found')) throw new Error(`ldd: a library is missing: ${line.trim()}`);
    // `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)` or `/lib64/ld-linux-x86-64.so.2 (0x…)`
    const path = /(?:=>\s*|^\s*)(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line)?.[1];
    if (path) paths.push(path);
  }
  return paths;
}

/** HOME as a container runtime sets it: the user's home in the image's /etc/passwd. */
function homeOf(uid: number): string {
  const entry = PASSWD.map((line) => line.split(':')).find((fields) => Number(fields[2]) === uid);
  return entry?.[5] ?? '/';
}

async function copyInto(root: string, path: string, source: string, mode: number): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true, mode: 0o755 });
  await copyFile(source, join(root, path));
  await chmod(join(root, path), mode);
}

async function makeDir(root: string, path: string, mode: number, owner?: [number, number]): Promise<void> {
  await mkdir(join(root, path), { recursive: true, mode: 0o755 });
  await chmod(join(root, path), mode); // mkdir's mode passes through the umask
  if (owner) await chown(join(root, path), ...owner);
}

/** A RUN of the final stage: in the root, writable as during a build, as the stage's user then. */
async function runBuildStep(root: string, step: BuildStep): Promise<void> {
  const uid = Number(step.user.split(':')[0]);
  const child = startInSandbox({
    root,
    readOnly: false,
    volumes: [],
    user: step.user,
    argv: step.argv,
    env: { HOME: homeOf(uid), ...step.env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', resolve);
    child.once('error', (error) => {
      output += `could not run unshare: ${error.message}`;
      resolve(null);
    });
  });
  clearTimeout(timer);
  if (code !== 0) throw new Error(`RUN ${JSON.stringify(step.argv)} exited with ${code}:\n${output}`);
}

export interface ImageOptions {
  /** The variant's bundle (dist/main.cjs). */
  bundle: string;
  /** `--build-arg`s: a variant's from docker-bake.hcl (bakeArgs). */
  buildArgs: Record<string, string>;
}

export async function buildImageRoot(options: ImageOptions): Promise<ImageRoot> {
  const problem = podSupportProblem();
  if (problem) throw new Error(problem);
  const stage = readFinalStage(await readFile(DOCKERFILE, 'utf8'), options.buildArgs);
  const [node, bundle] = stage.entrypoint;
  const { CONNECTOR_SOCKET: socket, NODE_COMPILE_CACHE: cache } = stage.env;
  if (!node || !bundle || !socket || !cache)
    throw new Error(
      'images/Dockerfile: expected ENTRYPOINT [node, bundle], CONNECTOR_SOCKET and NODE_COMPILE_CACHE',
    );
  const [uid, gid] = stage.user.split(':').map(Number) as [number, number];
  if (!/^\d+:\d+$/.test(stage.user)) throw new Error(`images/Dockerfile: USER ${stage.user} is not numeric`);

  const dir = await mkdtemp(join(tmpdir(), 'pod-root-'));
  const forget = leaveToJanitor({ dir });
  const remove = async () => {
    forget();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await chmod(dir, 0o755);
    // The base image: node, what it links, users, and the directories a runtime mounts over.
    await copyInto(dir, node, process.execPath, 0o755);
    for (const library of parseLdd(execFileSync('ldd', [process.execPath], { encoding: 'utf8' })))
      await copyInto(dir, library, library, 0o755);
    await mkdir(join(dir, 'etc'), { mode: 0o755 });
    await writeFile(join(dir, 'etc/passwd'), `${PASSWD.join('\n')}\n`, { mode: 0o644 });
    await writeFile(join(dir, 'etc/group'), `${GROUP.join('\n')}\n`, { mode: 0o644 });
    await makeDir(dir, '/tmp', 0o1777);
    await makeDir(dir, '/root', 0o700);
    await makeDir(dir, '/home/nonroot', 0o700, [65532, 65532]);
    await makeDir(dir, '/proc', 0o555);
    await makeDir(dir, '/dev', 0o755);
    // The final stage: the bundle and the cache script in /app; the socket directory and the
    // compile cache directory owned by the image's user (COPY --chown=65532:65532).
    await copyInto(dir, bundle, options.bundle, 0o644);
    await copyInto(dir, '/app/compile-cache.mjs', COMPILE_CACHE_SCRIPT, 0o644);
    await makeDir(dir, dirname(socket), 0o755, [uid, gid]);
    await makeDir(dir, cache, 0o755, [uid, gid]);
    for (const step of stage.run) await runBuildStep(dir, step);
  } catch (error) {
    await remove();
    throw error;
  }
  return { dir, stage, uid, gid, env: { HOME: homeOf(uid), ...stage.env }, remove };
}
