/**
 * Just enough Markdown for checking links: the links of a document and the anchors of its headings.
 * Fenced code blocks and code spans are left out: examples there are not links.
 */

/** The document's lines, with those inside fenced code blocks (fences included) emptied. */
function unfencedLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      if (marker === undefined) return line;
      fence = marker;
    } else if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) {
      fence = undefined;
    }
    return '';
  });
}

export interface Link {
  /** 1-based line in the document. */
  line: number;
  target: string;
}

const INLINE_LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?(?:\s+"[^"]*")?\s*$/;

/** Inline links and images, and reference definitions, outside code. */
export function linksOf(markdown: string): Link[] {
  const links: Link[] = [];
  unfencedLines(markdown).forEach((raw, index) => {
    const text = raw.replace(/(`+)[^`]*?\1/g, '');
    for (const match of text.matchAll(INLINE_LINK)) links.push({ line: index + 1, target: match[1]! });
    const definition = REFERENCE_DEFINITION.exec(text);
    if (definition) links.push({ line: index + 1, target: definition[1]! });
  });
  return links;
}

/** A target with a scheme (`https:`, `mailto:`) points outside by design: not checked. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces as hyphens. */
export function slugOf(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link reads as its text
    .replace(/<[^>]+>|[`*]/g, '') // markup that does not reach the rendered text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a document's headings; a repeated heading gets `-1`, `-2`... as on GitHub. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of unfencedLines(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const base = slugOf(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}
