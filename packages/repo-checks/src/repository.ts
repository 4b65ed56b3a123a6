/**
 * The repository as git tracks it, and the checks that it stands alone: nothing in it refers to
 * documents outside it, and every link and docs/ pointer in it resolves. Each check returns its
 * problems as `path:line: what`, empty when all is well.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsOf, isExternal, linksOf } from './markdown.js';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** What `git ls-files` lists, minus files deleted from the work tree but not yet from the index. */
export function trackedFiles(root = REPO_ROOT): string[] {
  const listed = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  return listed.split('\0').filter((path) => path !== '' && existsSync(posix.join(root, path)));
}

/** A tracked file's text; undefined for binary files (a NUL early on). */
export function readText(path: string, root = REPO_ROOT): string | undefined {
  const bytes = readFileSync(posix.join(root, path));
  if (bytes.subarray(0, 8000).includes(0)) return undefined;
  return bytes.toString('utf8');
}

/**
 * Documents that live beside the repository, not in it. Written in pieces so this file does not
 * match itself.
 */
const OUTSIDE_REFERENCES: ReadonlyArray<{ what: string; pattern: RegExp }> = [
  {
    what: 'a path into the shared directory beside the repository',
    pattern: new RegExp(`\\.\\./${'shared'}\\b`),
  },
  { what: 'the internal spec', pattern: new RegExp(`${'SPEC'}\\.md`) },
  { what: 'a section of the internal spec', pattern: new RegExp(`${'SPEC'}\\s*§`) },
  { what: 'the internal S3 test server notes', pattern: new RegExp(`S3-TEST-${'SERVER'}`, 'i') },
];

export function outsideReferences(files: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [path, text] of files) {
    text.split('\n').forEach((line, index) => {
      for (const { what, pattern } of OUTSIDE_REFERENCES) {
        if (pattern.test(line)) problems.push(`${path}:${index + 1}: refers to ${what}: ${line.trim()}`);
      }
    });
  }
  return problems;
}

/** Tracked files and the directories that hold them: what a link may point at. */
function targetsOf(files: Iterable<string>): Set<string> {
  const targets = new Set<string>(['.']);
  for (const path of files) {
    targets.add(path);
    for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) targets.add(dir);
  }
  return targets;
}

/** Checks a target found at `where`, `resolved` to a path from the repository root. */
function checkTarget(
  target: string,
  resolved: string,
  where: string,
  targets: Set<string>,
  anchors: (path: string) => Set<string>,
): string | undefined {
  if (resolved.startsWith('../') || resolved === '..')
    return `${where}: ${target} points outside the repository`;
  const hash = resolved.indexOf('#');
  const path = hash === -1 ? resolved : resolved.slice(0, hash);
  const anchor = hash === -1 ? undefined : resolved.slice(hash + 1);
  if (!targets.has(path)) {
    return existsSync(posix.join(REPO_ROOT, path))
      ? `${where}: ${target} exists but is not tracked by git (git add it)`
      : `${where}: ${target} does not exist`;
  }
  if (anchor && path.endsWith('.md') && !anchors(path).has(anchor)) {
    return `${where}: ${target}: ${path} has no heading with the anchor #${anchor}`;
  }
  return undefined;
}

function anchorCache(files: Map<string, string>): (path: string) => Set<string> {
  const cache = new Map<string, Set<string>>();
  return (path) => {
    let anchors = cache.get(path);
    if (!anchors) {
      anchors = anchorsOf(files.get(path) ?? '');
      cache.set(path, anchors);
    }
    return anchors;
  };
}

/** Every relative link of every tracked Markdown file points at a tracked file (and heading). */
export function brokenMarkdownLinks(files: Map<string, string>): string[] {
  const targets = targetsOf(files.keys());
  const anchors = anchorCache(files);
  const problems: string[] = [];
  for (const [path, text] of files) {
    if (!path.endsWith('.md')) continue;
    for (const { line, target } of linksOf(text)) {
      if (isExternal(target)) continue;
      const where = `${path}:${line}`;
      if (target.startsWith('/')) {
        problems.push(`${where}: ${target} is absolute: make it relative to ${path}`);
        continue;
      }
      let decoded: string;
      try {
        decoded = decodeURI(target);
      } catch {
        decoded = target;
      }
      const resolved = decoded.startsWith('#')
        ? `${path}${decoded}`
        : posix.normalize(posix.join(posix.dirname(path), decoded));
      const problem = checkTarget(target, resolved.replace(/\/(?=#|$)/, ''), where, targets, anchors);
      if (problem) problems.push(problem);
    }
  }
  return problems;
}

/**
 * `docs/<name>.md#<heading>` from the repository root, or `../../docs/<name>.md#<heading>` from
 * the file (the heading optional): how code comments and scripts point at the docs.
 */
const DOCS_POINTER = /(?<![\w./-])((?:\.\.\/)*)docs\/[\w-]+\.md(?:#[\w-]+)?/g;

/** Every `docs/…md#…` pointer outside Markdown (comments, scripts, tests) resolves. */
export function brokenDocsPointers(files: Map<string, string>): string[] {
  const targets = targetsOf(files.keys());
  const anchors = anchorCache(files);
  const problems: string[] = [];
  for (const [path, text] of files) {
    if (path.endsWith('.md')) continue;
    text.split('\n').forEach((line, index) => {
      for (const [pointer, up] of line.matchAll(DOCS_POINTER)) {
        const resolved = up ? posix.normalize(posix.join(posix.dirname(path), pointer)) : pointer;
        const problem = checkTarget(pointer, resolved, `${path}:${index + 1}`, targets, anchors);
        if (problem) problems.push(problem);
      }
    });
  }
  return problems;
}
