import { describe, expect, it } from 'vitest';
import { anchorsOf, isExternal, linksOf, slugOf } from './markdown.js';
import { brokenMarkdownLinks, outsideReferences } from './repository.js';

describe('linksOf', () => {
  it('finds inline links, images and reference definitions, with their lines', () => {
    const doc = ['See [a](a.md) and ![chart](img/c.svg "title").', '', '[ref]: guide/b.md#part'].join('\n');
    expect(linksOf(doc)).toEqual([
      { line: 1, target: 'a.md' },
      { line: 1, target: 'img/c.svg' },
      { line: 3, target: 'guide/b.md#part' },
    ]);
  });

  it('leaves out code blocks and code spans', () => {
    const doc = ['`[x](in-span.md)`', '```md', '[y](in-block.md)', '```', '[z](after.md)'].join('\n');
    expect(linksOf(doc).map((link) => link.target)).toEqual(['after.md']);
  });
});

describe('anchors', () => {
  it('slugs headings as GitHub does', () => {
    expect(slugOf('Memory and sizing')).toBe('memory-and-sizing');
    expect(slugOf('`If-Match` on a missing key')).toBe('if-match-on-a-missing-key');
    expect(slugOf('Redis: ttl')).toBe('redis-ttl');
    expect(slugOf('Keys, prefixes & STATE_PREFIX')).toBe('keys-prefixes--state_prefix');
    expect(slugOf('See [the docs](x.md)')).toBe('see-the-docs');
  });

  it('numbers repeated headings and ignores headings in code', () => {
    const doc = ['# Title', '## Notes', '```', '## Fenced', '```', '## Notes'].join('\n');
    expect([...anchorsOf(doc)]).toEqual(['title', 'notes', 'notes-1']);
  });

  it('treats targets with a scheme as external', () => {
    expect(isExternal('https://example.com')).toBe(true);
    expect(isExternal('mailto:a@b.c')).toBe(true);
    expect(isExternal('guide/a.md')).toBe(false);
  });
});

describe('the checks find what they look for', () => {
  it('a link to a missing file, a missing heading, or out of the repository', () => {
    const files = new Map([
      ['guide/a.md', '# A\n[ok](b.md#b) [gone](c.md) [bad anchor](b.md#nope) [out](../../x.md) [self](#a)'],
      ['guide/b.md', '# B'],
    ]);
    expect(brokenMarkdownLinks(files)).toEqual([
      'guide/a.md:2: c.md does not exist',
      'guide/a.md:2: b.md#nope: guide/b.md has no heading with the anchor #nope',
      'guide/a.md:2: ../../x.md points outside the repository',
    ]);
  });

  it('a reference to a document beside the repository', () => {
    const line = ['see', `${'..'}/shared/notes`].join(' ');
    expect(outsideReferences(new Map([['src/a.ts', `// fine\n// ${line}`]]))).toEqual([
      `src/a.ts:2: refers to a path into the shared directory beside the repository: // ${line}`,
    ]);
  });
});
