/** The HCL reader: what it reads as bake would, and the constructs it refuses rather than guess. */
import { describe, expect, it } from 'vitest';
import { resolveBake } from './bake.js';
import { evaluate, parseHcl, type Value } from './hcl.js';

/** The value of `x = <expr>` with `variables` and `functions` (HCL function blocks). */
function value(expr: string, variables: Record<string, Value> = {}, functions = ''): Value {
  const body = parseHcl(`${functions}\nx = ${expr}\n`);
  const scope = { variables: new Map(Object.entries(variables)), functions: new Map() };
  for (const block of body.blocks) {
    const params = block.body.attributes.get('params');
    scope.functions.set(block.labels[0], {
      params:
        params?.kind === 'list'
          ? params.items.map((item) => (item.kind === 'variable' ? item.name : ''))
          : [],
      result: block.body.attributes.get('result')!,
    });
  }
  return evaluate(body.attributes.get('x')!, scope);
}

describe('HCL reader', () => {
  it('reads blocks with labels, attributes and the three kinds of comments', () => {
    const body = parseHcl(`
      # a comment
      variable "V" { default = "a" } // another
      /* and a
         third */ target "t" {
        args = { A = "1", "B-c": "2" }
      }
    `);
    expect(body.blocks.map((block) => [block.type, block.labels])).toEqual([
      ['variable', ['V']],
      ['target', ['t']],
    ]);
    expect(
      evaluate(body.blocks[1]!.body.attributes.get('args')!, { variables: new Map(), functions: new Map() }),
    ).toEqual({ A: '1', 'B-c': '2' });
  });

  it('interpolates variables and calls, with strings inside, and keeps escapes as HCL does', () => {
    expect(
      value(
        // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL interpolation
        '"${R}/img-${lower_name("x")}:${V}"',
        { R: 'ghcr.io/o', V: '1.2.3' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL interpolation
        'function "lower_name" {\n params = [n]\n result = "n-${n}"\n}',
      ),
    ).toBe('ghcr.io/o/img-n-x:1.2.3');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: HCL's escaped interpolation
    expect(value('"a\\\\.b \\"q\\" $${not} \\t"')).toBe('a\\.b "q" ${not} \t');
  });

  it('evaluates ==, != and ? : , lists and numbers', () => {
    expect(value('V == "" ? ["none"] : [V, 2]', { V: '' })).toEqual(['none']);
    expect(value('V == "" ? ["none"] : [V, 2]', { V: 'v' })).toEqual(['v', 2]);
    expect(value('V != "x"', { V: 'x' })).toBe(false);
    expect(value('(1 == 1)')).toBe(true);
  });

  it('has length, regex and regexall as in go-cty', () => {
    expect(value('length(regexall("^[0-9]+\\\\.[0-9]+\\\\.[0-9]+$", "1.2.3"))')).toBe(1);
    expect(value('length(regexall("^[0-9]+\\\\.[0-9]+\\\\.[0-9]+$", "1.2.3-rc.1"))')).toBe(0);
    expect(value('regex("^[0-9]+\\\\.[0-9]+", "10.20.3")')).toBe('10.20');
    expect(value('regex("^([0-9]+)\\\\.([0-9]+)", "10.20.3")')).toEqual(['10', '20']);
    expect(() => value('regex("^[0-9]", "dev")')).toThrow(/does not match/);
  });

  it.each([
    ['an arithmetic operator', 'x = 1 + 2', /unsupported operator "\+"/],
    ['a logical operator', 'x = true && false', /unsupported operator "&"/],
    ['an attribute access', 'x = a.b', /unsupported operator "\."/],
    ['an index', 'x = a[0]', /unsupported operator "\["/],
    ['a for expression', 'x = [for v in l: v]', /"for" is not supported/],
    ['a heredoc', 'x = <<EOT\nhi\nEOT\n', /heredocs are not supported/],
    ['a template directive', 'x = "%{ if a }b%{ endif }"', /template directives are not supported/],
    ['an unknown escape', 'x = "\\q"', /unsupported escape/],
    ['an unterminated string', 'x = "abc\n', /unterminated string/],
    ['an attribute set twice', 'x = 1\nx = 2\n', /"x" is set twice/],
  ])('refuses %s, naming where', (_what, text, error) => {
    expect(() => parseHcl(text)).toThrow(error);
    expect(() => parseHcl(text)).toThrow(/at \d+:\d+/);
  });

  it('refuses unknown variables and functions when evaluating', () => {
    expect(() => value('nope')).toThrow(/unknown variable "nope"/);
    expect(() => value('upper("a")')).toThrow(/unknown function "upper"/);
  });
});

describe('bake resolution', () => {
  const file = `
    variable "TAG" { default = "dev" }
    target "_base" {
      context = "."
      platforms = ["linux/amd64", "linux/arm64"]
      args = { A = "base", B = TAG }
    }
    target "child" {
      inherits = ["_base"]
      platforms = ["linux/amd64"]
      args = { A = "child" }
      tags = ["img:\${TAG}"]
    }
    group "default" { targets = ["child"] }
  `;

  it('merges args from the targets inherited and replaces other attributes, as bake does', () => {
    expect(resolveBake(file).targets.child).toEqual({
      context: '.',
      platforms: ['linux/amd64'],
      args: { A: 'child', B: 'dev' },
      tags: ['img:dev'],
    });
  });

  it('takes variables from the environment by name', () => {
    expect(resolveBake(file, { TAG: '2.0.0' }).targets.child?.tags).toEqual(['img:2.0.0']);
  });

  it('refuses attributes and blocks it does not know, and inheritance loops', () => {
    expect(() => resolveBake('target "t" { output = ["type=registry"] }')).toThrow(
      /unsupported attribute "output"/,
    );
    expect(() => resolveBake('matrix "m" {}')).toThrow(/unsupported block type "matrix"/);
    expect(() => resolveBake('target "a" { inherits = ["b"] }\ntarget "b" { inherits = ["a"] }')).toThrow(
      /loop: a -> b -> a/,
    );
  });
});
