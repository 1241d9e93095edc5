import { readFileSync } from 'node:fs';

/** Lines without trailing spaces, ends trimmed: a file and a README block compare by content. */
const normalise = (code: string) =>
  code
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();

/** The fenced code blocks of a Markdown file. */
export function codeBlocks(markdownFile: URL): string[] {
  const markdown = readFileSync(markdownFile, 'utf8');
  return [...markdown.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)].map((match) => normalise(match[1]!));
}

export function shows(blocks: string[], file: URL): boolean {
  return blocks.includes(normalise(readFileSync(file, 'utf8')));
}
