/**
 * What images/Dockerfile's final stage says about the container it makes: its environment, its
 * user, the commands it runs at build (exec form) and its entrypoint. The pod is built from these,
 * so it follows the Dockerfile instead of a copy of it. Files the stage COPYs are laid out by
 * image.ts; the build stage is not read at all.
 */

export interface BuildStep {
  argv: string[];
  /** The stage's environment when the step runs (ENVs declared before it). */
  env: Record<string, string>;
  /** USER when the step runs, e.g. `65532:65532`. */
  user: string;
}

export interface FinalStage {
  env: Record<string, string>;
  user: string;
  run: BuildStep[];
  entrypoint: string[];
}

/** Lines joined where they end with a backslash; comment and blank lines dropped, as Docker does. */
function instructions(text: string): string[] {
  const result: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    result.push(pending + line);
    pending = '';
  }
  if (pending) result.push(pending.trim());
  return result;
}

/** `$NAME` and `${NAME}` replaced by their values (unset: empty, as Docker does). */
function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    return vars[(braced ?? bare)!] ?? '';
  });
}

/** `K=V K2="a b"` → pairs; quotes removed, a backslash escapes the next character. */
function envPairs(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  let at = 0;
  while (at < text.length) {
    while (text[at] === ' ' || text[at] === '\t') at++;
    if (at >= text.length) break;
    const equals = text.indexOf('=', at);
    if (equals === -1) throw new Error(`ENV: expected NAME=value in '${text}'`);
    const name = text.slice(at, equals);
    let value = '';
    let quote: string | undefined;
    for (at = equals + 1; at < text.length; at++) {
      const char = text[at]!;
      if (char === '\\' && quote !== "'") value += text[++at] ?? '';
      else if (quote && char === quote) quote = undefined;
      else if (!quote && (char === '"' || char === "'")) quote = char;
      else if (!quote && (char === ' ' || char === '\t')) break;
      else value += char;
    }
    pairs.push([name, value]);
  }
  return pairs;
}

function execForm(keyword: string, args: string): string[] {
  try {
    const parsed: unknown = JSON.parse(args);
    if (Array.isArray(parsed) && parsed.every((part) => typeof part === 'string')) return parsed;
  } catch {
    // reported below
  }
  throw new Error(`${keyword} ${args}: only the exec form is supported (the final stage has no shell)`);
}

/**
 * Reads the last stage of `dockerfile` with `buildArgs` (`--build-arg`s, as docker-bake.hcl
 * passes them); ARG defaults apply otherwise.
 */
export function readFinalStage(dockerfile: string, buildArgs: Record<string, string>): FinalStage {
  const lines = instructions(dockerfile).map((line) => {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    return { keyword: keyword.toUpperCase(), rest };
  });
  const from = lines.findLastIndex((line) => line.keyword === 'FROM');
  if (from === -1) throw new Error('no FROM in the Dockerfile');
  const stage: FinalStage = { env: {}, user: 'root', run: [], entrypoint: [] };
  // ARGs are per stage: the global ones before the first FROM serve FROM lines only.
  const args: Record<string, string> = {};
  for (const { keyword, rest } of lines.slice(from + 1)) {
    const vars = { ...args, ...stage.env };
    if (keyword === 'ARG') {
      const [, name = '', , fallback] = /^(\w+)(=(.*))?$/.exec(rest) ?? [];
      args[name] = buildArgs[name] ?? fallback ?? '';
    } else if (keyword === 'ENV') {
      for (const [name, value] of envPairs(rest)) stage.env[name] = substitute(value, vars);
    } else if (keyword === 'USER') {
      stage.user = substitute(rest, vars);
    } else if (keyword === 'RUN') {
      stage.run.push({ argv: execForm(keyword, rest), env: { ...stage.env }, user: stage.user });
    } else if (keyword === 'ENTRYPOINT') {
      stage.entrypoint = execForm(keyword, rest);
    }
  }
  return stage;
}

/** The `args` of one target of a docker-bake.hcl file (string values only, which is all it uses). */
export function readBakeArgs(hcl: string, target: string): Record<string, string> {
  for (const block of hcl.matchAll(/^target\s+"([^"]+)"\s*\{([\s\S]*?)^\}/gm)) {
    if (block[1] !== target) continue;
    const args = /\bargs\s*=\s*\{([^}]*)\}/.exec(block[2] ?? '')?.[1] ?? '';
    return Object.fromEntries([...args.matchAll(/(\w+)\s*=\s*"([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  }
  throw new Error(`docker-bake.hcl has no target "${target}"`);
}
