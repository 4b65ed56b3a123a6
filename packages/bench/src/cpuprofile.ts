/**
 * Reads a V8 .cpuprofile (node --cpu-prof) of a connector bundle and tells where the time went:
 * self and inclusive time per function. Not per module: the bundles have no source map and no
 * module markers (whitespace is minified), but function names are kept, and a frame's line in
 * the bundle is shown with it.
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
}

/** A time window on the monotonic clock (µs), e.g. one load phase, leaving start-up out. */
export interface Window {
  fromUs: number;
  toUs: number;
}

export function analyzeProfile(
  profile: CpuProfile,
  bundleUrlEnd: string,
  window?: Window,
  top = 25,
): ProfileSummary {
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const sourceOf = (frame: CallFrame) => {
    if (frame.url.endsWith(bundleUrlEnd)) return 'bundle';
    if (frame.url.startsWith('node:'))
      return frame.url
        .replace(/^node:(internal\/)?/, 'node:')
        .split('/')
        .slice(0, 2)
        .join('/');
    return frame.url || '(native/vm)';
  };
  const functionKey = (frame: CallFrame) =>
    `${frame.functionName || '(anonymous)'}  [${sourceOf(frame)}${frame.url ? `:${frame.lineNumber + 1}` : ''}]`;

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
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
  };
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}
