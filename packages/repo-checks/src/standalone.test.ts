/**
 * The repository stands alone: users and contributors find the whole contract in it (docs/), so
 * nothing tracked may send them to documents that live beside it, and every link and docs/ pointer
 * must lead somewhere that exists. Runs in well under a second: one `git ls-files`, plain reads.
 */
import { beforeAll, expect, it } from 'vitest';
import {
  brokenDocsPointers,
  brokenMarkdownLinks,
  outsideReferences,
  readText,
  trackedFiles,
} from './repository.js';

/** Tracked text files by path. */
let files: Map<string, string>;

beforeAll(() => {
  files = new Map();
  for (const path of trackedFiles()) {
    const text = readText(path);
    if (text !== undefined) files.set(path, text);
  }
});

it('sees the tracked files', () => {
  expect(files.has('README.md')).toBe(true);
  expect(files.has('docs/README.md')).toBe(true);
});

it('no tracked file refers to documents outside the repository', () => {
  expect(outsideReferences(files)).toEqual([]);
});

it('every relative link in tracked Markdown points at a tracked file, and at a heading of it', () => {
  expect(brokenMarkdownLinks(files)).toEqual([]);
});

it('every docs/*.md pointer in code, scripts and tests points at a tracked document and heading', () => {
  expect(brokenDocsPointers(files)).toEqual([]);
});
