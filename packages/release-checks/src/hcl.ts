/**
 * A reader of the HCL that images/docker-bake.hcl is written in, and no more: blocks with string
 * labels, attributes, strings with `${}` interpolation and the `\\ \" \n \r \t` and `$${` escapes,
 * numbers, true/false, lists, objects, variable references, function calls, `==`, `!=` and `? :`.
 * Anything else (another operator, a for expression, a heredoc, an attribute access...) is an
 * error naming its line and column: a bake file using it needs this reader extended, not guessed.
 *
 * No npm package fits: the maintained HCL parsers are Go builds (hcl2-parser, @cdktf/hcl2json)
 * that return expressions unevaluated as "${...}" text, so the tags, which bake computes with
 * functions, would still need an evaluator like the one below.
 */

export type Value = string | number | boolean | Value[] | { [key: string]: Value };

export type Expr =
  | { kind: 'literal'; value: Value }
  | { kind: 'template'; parts: Array<string | Expr> }
  | { kind: 'variable'; name: string }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'list'; items: Expr[] }
  | { kind: 'object'; entries: Array<[string, Expr]> }
  | { kind: 'compare'; op: '==' | '!='; left: Expr; right: Expr }
  | { kind: 'conditional'; test: Expr; then: Expr; else: Expr };

export interface Block {
  type: string;
  labels: string[];
  body: Body;
}

export interface Body {
  attributes: Map<string, Expr>;
  blocks: Block[];
}

export class HclError extends Error {}

const IDENT_START = /[A-Za-z_]/;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n', r: '\r', t: '\t' };
const IDENT_PART = /[A-Za-z0-9_-]/;

class Parser {
  #at = 0;

  constructor(readonly text: string) {}

  /** `line:column` of the current position, for errors. */
  where(at = this.#at): string {
    const before = this.text.slice(0, at).split('\n');
    return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
  }

  fail(message: string): never {
    throw new HclError(`${message} at ${this.where()}`);
  }

  peek(): string {
    return this.text[this.#at] ?? '';
  }

  /** Skips whitespace, newlines and comments (`#`, `//`, `/* *\/`). */
  skip(): void {
    while (this.#at < this.text.length) {
      const rest = this.text.slice(this.#at, this.#at + 2);
      if (/\s/.test(this.peek())) this.#at += 1;
      else if (this.peek() === '#' || rest === '//') this.#skipPast('\n');
      else if (rest === '/*') this.#skipPast('*/');
      else return;
    }
  }

  #skipPast(end: string): void {
    const found = this.text.indexOf(end, this.#at);
    this.#at = found === -1 ? this.text.length : found + end.length;
  }

  /** Consumes `token` (after whitespace) when it comes next. */
  accept(token: string): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.#at)) return false;
    this.#at += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.accept(token)) this.fail(`expected "${token}"`);
  }

  atEnd(): boolean {
    this.skip();
    return this.#at >= this.text.length;
  }

  identifier(): string {
    this.skip();
    const start = this.#at;
    if (!IDENT_START.test(this.peek())) this.fail('expected a name');
    while (IDENT_PART.test(this.peek())) this.#at += 1;
    return this.text.slice(start, this.#at);
  }

  /** Attributes and blocks up to `closing`, or to the end of the text. Each turn consumes input. */
  body(closing?: string): Body {
    const body: Body = { attributes: new Map(), blocks: [] };
    for (;;) {
      if (closing !== undefined && this.accept(closing)) return body;
      if (this.atEnd()) {
        if (closing !== undefined) this.fail(`expected "${closing}"`);
        return body;
      }
      const name = this.identifier();
      if (this.accept('=')) {
        if (body.attributes.has(name)) this.fail(`"${name}" is set twice`);
        body.attributes.set(name, this.expression());
        continue;
      }
      const labels: string[] = [];
      this.skip();
      while (this.peek() === '"') {
        const label = this.string();
        if (label.kind !== 'literal') this.fail('a block label cannot interpolate');
        labels.push(String(label.value));
        this.skip();
      }
      this.expect('{');
      body.blocks.push({ type: name, labels, body: this.body('}') });
    }
  }

  expression(): Expr {
    const test = this.comparison();
    if (!this.accept('?')) return test;
    const then = this.expression();
    this.expect(':');
    return { kind: 'conditional', test, then, else: this.expression() };
  }

  comparison(): Expr {
    let left = this.primary();
    for (;;) {
      const op = this.accept('==') ? '==' : this.accept('!=') ? '!=' : undefined;
      if (!op) break;
      left = { kind: 'compare', op, left, right: this.primary() };
    }
    this.skip(); // comments too: what follows is code
    // An operator this reader does not know must not end the expression quietly.
    if (/[<>+\-*/%!.[&|]/.test(this.peek())) this.fail(`unsupported operator "${this.peek()}"`);
    return left;
  }

  primary(): Expr {
    this.skip();
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '[') return this.list();
    if (c === '{') return this.object();
    if (c === '(') {
      this.expect('(');
      const inner = this.expression();
      this.expect(')');
      return inner;
    }
    if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(this.text.slice(this.#at))!;
      this.#at += match[0].length;
      return { kind: 'literal', value: Number(match[0]) };
    }
    if (c === '<' && this.text.startsWith('<<', this.#at)) this.fail('heredocs are not supported');
    const name = this.identifier();
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'for' || name === 'null') this.fail(`"${name}" is not supported`);
    if (!this.accept('(')) return { kind: 'variable', name };
    const args: Expr[] = [];
    while (!this.accept(')')) {
      args.push(this.expression());
      if (!this.accept(',')) {
        this.expect(')');
        break;
      }
    }
    return { kind: 'call', name, args };
  }

  list(): Expr {
    this.expect('[');
    const items: Expr[] = [];
    while (!this.accept(']')) {
      items.push(this.expression());
      if (!this.accept(',')) {
        this.expect(']');
        break;
      }
    }
    return { kind: 'list', items };
  }

  object(): Expr {
    this.expect('{');
    const entries: Array<[string, Expr]> = [];
    while (!this.accept('}')) {
      this.skip();
      const key =
        this.peek() === '"' ? this.string() : { kind: 'literal' as const, value: this.identifier() };
      if (key.kind !== 'literal') this.fail('an object key cannot interpolate');
      if (!this.accept('=') && !this.accept(':')) this.fail('expected "=" or ":"');
      entries.push([String(key.value), this.expression()]);
      this.accept(',');
    }
    return { kind: 'object', entries };
  }

  /** A quoted string: a literal, or a template when it interpolates. */
  string(): Expr {
    this.expect('"');
    const parts: Array<string | Expr> = [];
    let text = '';
    for (;;) {
      const c = this.peek();
      if (c === '' || c === '\n') this.fail('unterminated string');
      if (c === '"') {
        this.#at += 1;
        break;
      }
      if (c === '\\') {
        const code = this.text[this.#at + 1] ?? '';
        const escaped = ESCAPES[code];
        if (escaped === undefined) this.fail(`unsupported escape "\\${code}"`);
        text += escaped;
        this.#at += 2;
      } else if (this.text.startsWith('$${', this.#at)) {
        text += '${';
        this.#at += 3;
      } else if (this.text.startsWith('%{', this.#at)) {
        this.fail('template directives are not supported');
      } else if (this.text.startsWith('${', this.#at)) {
        if (text) parts.push(text);
        text = '';
        this.#at += 2;
        parts.push(this.expression());
        this.expect('}');
      } else {
        text += c;
        this.#at += 1;
      }
    }
    if (text || parts.length === 0) parts.push(text);
    if (parts.length === 1 && typeof parts[0] === 'string') return { kind: 'literal', value: parts[0] };
    return { kind: 'template', parts };
  }
}

/** Parses a whole file. */
export function parseHcl(text: string): Body {
  return new Parser(text).body();
}

/** A function: parameter names and the expression of its result. */
export interface UserFunction {
  params: string[];
  result: Expr;
}

export interface Scope {
  variables: ReadonlyMap<string, Value>;
  functions: ReadonlyMap<string, UserFunction>;
}

function describe(value: Value): string {
  return JSON.stringify(value);
}

function asString(value: Value, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new HclError(`${what} must be a string, got ${describe(value)}`);
}

/** What a match of `pattern` gives in HCL: the match, or its groups when the pattern has some. */
function matchValue(match: RegExpMatchArray): Value {
  return match.length > 1 ? match.slice(1).map((group) => group ?? '') : match[0];
}

/** The few standard functions the bake file uses, as bake (go-cty) defines them. */
const BUILTINS: Record<string, (args: Value[]) => Value> = {
  length([value]) {
    if (typeof value === 'string') return [...value].length;
    if (Array.isArray(value)) return value.length;
    if (value !== undefined && typeof value === 'object') return Object.keys(value).length;
    throw new HclError(`length() takes a string, list or map, got ${describe(value ?? '')}`);
  },
  regex([pattern, subject]) {
    const match = new RegExp(asString(pattern ?? '', 'pattern')).exec(asString(subject ?? '', 'string'));
    if (!match)
      throw new HclError(`regex(): ${describe(pattern ?? '')} does not match ${describe(subject ?? '')}`);
    return matchValue(match);
  },
  regexall([pattern, subject]) {
    const regexp = new RegExp(asString(pattern ?? '', 'pattern'), 'g');
    return [...asString(subject ?? '', 'string').matchAll(regexp)].map(matchValue);
  },
};

function equal(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Evaluates an expression; `locals` are a function's parameters. */
export function evaluate(expr: Expr, scope: Scope, locals: ReadonlyMap<string, Value> = new Map()): Value {
  const recur = (inner: Expr) => evaluate(inner, scope, locals);
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'template':
      return expr.parts
        .map((part) => (typeof part === 'string' ? part : asString(recur(part), 'an interpolation')))
        .join('');
    case 'variable': {
      const value = locals.get(expr.name) ?? scope.variables.get(expr.name);
      if (value === undefined) throw new HclError(`unknown variable "${expr.name}"`);
      return value;
    }
    case 'list':
      return expr.items.map(recur);
    case 'object':
      return Object.fromEntries(expr.entries.map(([key, value]) => [key, recur(value)]));
    case 'compare': {
      const same = equal(recur(expr.left), recur(expr.right));
      return expr.op === '==' ? same : !same;
    }
    case 'conditional': {
      const test = recur(expr.test);
      if (typeof test !== 'boolean')
        throw new HclError(`a condition must be true or false, got ${describe(test)}`);
      return recur(test ? expr.then : expr.else);
    }
    case 'call': {
      const args = expr.args.map(recur);
      const user = scope.functions.get(expr.name);
      if (user) {
        if (args.length !== user.params.length)
          throw new HclError(`${expr.name}() takes ${user.params.length} arguments, got ${args.length}`);
        return evaluate(user.result, scope, new Map(user.params.map((name, i) => [name, args[i]!])));
      }
      const builtin = BUILTINS[expr.name];
      if (!builtin) throw new HclError(`unknown function "${expr.name}"`);
      return builtin(args);
    }
  }
}
