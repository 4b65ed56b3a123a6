/**
 * Reads a V8 .cpuprofile (node --cpu-prof) of a connector bundle and tells where the time went:
 * self time per function, inclusive time per function, and self time per module. The bundles
 * have no source maps, but esbuild (unminified) marks each bundled module with a `// path` comment
 * line, so a frame's line number in dist/main.cjs maps back to its package or source file.
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  /** Microseconds on the monotonic clock (the one process.hrtime reads), like the sample times. */
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Row {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** The process waiting (epoll): the CPU it did not need. */
  idleMs: number;
  gcMs: number;
  selfByFunction: Row[];
  inclusiveByFunction: Row[];
  selfByModule: Row[];
}

/** Line (1-based) → module marker of an unminified esbuild bundle, sorted by line. */
export function moduleMarkers(bundleSource: string): { line: number; module: string }[] {
  const markers: { line: number; module: string }[] = [];
  bundleSource.split('\n').forEach((text, index) => {
    const match = /^\/\/ (\S+\.(?:ts|js|mjs|cjs|json))$/.exec(text);
    if (match) markers.push({ line: index + 1, module: shortModule(match[1]!) });
  });
  return markers;
}

/** `../../node_modules/.pnpm/x@1/node_modules/@scope/name/dist/a.js` → `@scope/name`; others as is. */
export function shortModule(path: string): string {
  const inModules = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (inModules) return inModules[1]!;
  const sibling = /^\.\.\/([^/]+)\/dist\//.exec(path);
  if (sibling) return sibling[1]!;
  return `variant ${path}`;
}

function moduleAt(markers: { line: number; module: string }[], line: number): string {
  let low = 0;
  let high = markers.length - 1;
  let found = 'bundle';
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (markers[mid]!.line <= line) {
      found = markers[mid]!.module;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** A time window on the monotonic clock (µs), e.g. one load phase, leaving start-up out. */
export interface Window {
  fromUs: number;
  toUs: number;
}

export function analyzeProfile(
  profile: CpuProfile,
  bundleUrlEnd: string,
  bundleSource: string,
  window?: Window,
  top = 25,
): ProfileSummary {
  const markers = moduleMarkers(bundleSource);
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const moduleOf = (frame: CallFrame) => {
    if (frame.url.endsWith(bundleUrlEnd)) return moduleAt(markers, frame.lineNumber + 1);
    if (frame.url.startsWith('node:'))
      return frame.url
        .replace(/^node:(internal\/)?/, 'node:')
        .split('/')
        .slice(0, 2)
        .join('/');
    return frame.url || '(native/vm)';
  };
  const functionKey = (frame: CallFrame) =>
    `${frame.functionName || '(anonymous)'}  [${moduleOf(frame)}${frame.url ? `:${frame.lineNumber + 1}` : ''}]`;

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const selfModule = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let totalMs = 0;
  let idleMs = 0;
  let gcMs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) return;
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    totalMs += ms;
    const name = node.callFrame.functionName;
    if (name === '(idle)') {
      idleMs += ms;
      return;
    }
    if (name === '(garbage collector)') gcMs += ms;
    add(self, functionKey(node.callFrame), ms);
    add(selfModule, name.startsWith('(') ? name : moduleOf(node.callFrame), ms);
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      const frame = byId.get(up)!.callFrame;
      if (frame.functionName === '(root)') continue;
      const key = functionKey(frame);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, ms);
      }
    }
  });
  const busyMs = totalMs - idleMs;
  const rows = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: busyMs > 0 ? ms / busyMs : 0 }));
  return {
    totalMs,
    idleMs,
    gcMs,
    selfByFunction: rows(self),
    inclusiveByFunction: rows(inclusive),
    selfByModule: rows(selfModule),
  };
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}
