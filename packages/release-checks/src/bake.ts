/**
 * images/docker-bake.hcl as `docker buildx bake --print` would resolve it (which needs buildx):
 * variables from their defaults or the environment, user functions, targets with what they
 * inherit (args and labels merged, other attributes replaced, as bake does), groups.
 */
import { readFileSync } from 'node:fs';
import { type Body, evaluate, HclError, parseHcl, type UserFunction, type Value } from './hcl.js';

export interface BakeTarget {
  context?: string;
  dockerfile?: string;
  platforms?: string[];
  tags?: string[];
  args?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface Bake {
  groups: Record<string, string[]>;
  targets: Record<string, BakeTarget>;
}

/** Attributes bake merges key by key from the targets inherited; the others replace. */
const MERGED = new Set(['args', 'labels']);
const KNOWN = new Set(['context', 'dockerfile', 'platforms', 'tags', 'args', 'labels', 'inherits']);

function stringList(value: Value, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new HclError(`${what} must be a list of strings, got ${JSON.stringify(value)}`);
  return value as string[];
}

function stringMap(value: Value, what: string): Record<string, string> {
  if (typeof value !== 'object' || Array.isArray(value))
    throw new HclError(`${what} must be a map, got ${JSON.stringify(value)}`);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
}

function onlyLabel(labels: string[], type: string): string {
  if (labels.length !== 1) throw new HclError(`a ${type} block takes one label, got ${labels.length}`);
  return labels[0]!;
}

/** Resolves the bake file `text`; `env` overrides variables by name, as bake's environment does. */
export function resolveBake(text: string, env: Record<string, string> = {}): Bake {
  const file: Body = parseHcl(text);
  if (file.attributes.size > 0) throw new HclError('top-level attributes are not supported');
  const variables = new Map<string, Value>();
  const functions = new Map<string, UserFunction>();
  const scope = { variables, functions };

  for (const block of file.blocks.filter((b) => b.type === 'variable')) {
    const name = onlyLabel(block.labels, 'variable');
    const fallback = block.body.attributes.get('default');
    variables.set(name, env[name] ?? (fallback ? evaluate(fallback, scope) : ''));
  }
  for (const block of file.blocks.filter((b) => b.type === 'function')) {
    const params = block.body.attributes.get('params');
    const result = block.body.attributes.get('result');
    if (params?.kind !== 'list' || !result)
      throw new HclError('a function needs params = [names] and a result');
    functions.set(onlyLabel(block.labels, 'function'), {
      params: params.items.map((item) => {
        if (item.kind !== 'variable') throw new HclError('function params are bare names');
        return item.name;
      }),
      result,
    });
  }

  const groups: Record<string, string[]> = {};
  const declared = new Map<string, Body>();
  for (const block of file.blocks) {
    if (block.type === 'group') {
      const targets = block.body.attributes.get('targets');
      groups[onlyLabel(block.labels, 'group')] = targets
        ? stringList(evaluate(targets, scope), 'group targets')
        : [];
    } else if (block.type === 'target') {
      const name = onlyLabel(block.labels, 'target');
      if (declared.has(name)) throw new HclError(`target "${name}" is declared twice`);
      declared.set(name, block.body);
    } else if (block.type !== 'variable' && block.type !== 'function') {
      throw new HclError(`unsupported block type "${block.type}"`);
    }
  }

  // A target is what it inherits, in order, then its own attributes on top.
  const resolved = new Map<string, BakeTarget>();
  const resolve = (name: string, chain: string[]): BakeTarget => {
    const done = resolved.get(name);
    if (done) return done;
    if (chain.includes(name))
      throw new HclError(`targets inherit in a loop: ${[...chain, name].join(' -> ')}`);
    const body = declared.get(name);
    if (!body) throw new HclError(`unknown target "${name}"`);
    const target: Record<string, unknown> = {};
    const inherits = body.attributes.get('inherits');
    for (const parent of inherits ? stringList(evaluate(inherits, scope), 'inherits') : []) {
      for (const [key, value] of Object.entries(resolve(parent, [...chain, name]))) {
        target[key] = MERGED.has(key) ? { ...(target[key] as object), ...(value as object) } : value;
      }
    }
    for (const [key, expr] of body.attributes) {
      if (!KNOWN.has(key)) throw new HclError(`target "${name}": unsupported attribute "${key}"`);
      if (key === 'inherits') continue;
      const value = evaluate(expr, scope);
      const what = `target "${name}" ${key}`;
      if (MERGED.has(key)) target[key] = { ...(target[key] as object), ...stringMap(value, what) };
      else if (key === 'platforms' || key === 'tags') target[key] = stringList(value, what);
      else if (typeof value === 'string') target[key] = value;
      else throw new HclError(`${what} must be a string`);
    }
    resolved.set(name, target as BakeTarget);
    return target as BakeTarget;
  };
  const targets: Record<string, BakeTarget> = {};
  for (const name of declared.keys()) targets[name] = resolve(name, []);
  return { groups, targets };
}

/** The bake file of this repository, resolved with `env`. */
export function readBakeFile(path: string, env: Record<string, string> = {}): Bake {
  return resolveBake(readFileSync(path, 'utf8'), env);
}
