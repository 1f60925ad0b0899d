/**
 * The canonical text of one language version of a letter: what the transparency log hashes (a `letter` entry per
 * published version, and the `text` of each `sig` entry). Anyone can rebuild it from the API's versions
 * (GET /api/v1/letters/{slug}) and compare its SHA-256 with the log. Line endings become LF and the parts are
 * trimmed, so that a re-save from another editor does not look like a new text.
 *
 *   <title>\n\n<body>\n[\n<statement>\n]
 */
import type { LetterVersion } from '../model.ts';

const norm = (s: string) => s.replace(/\r\n?/g, '\n').trim();

export function canonicalText(v: Pick<LetterVersion, 'title' | 'body' | 'statement'>): string {
  let out = `${norm(v.title)}\n\n${norm(v.body)}\n`;
  if (v.statement?.trim()) out += `\n${norm(v.statement)}\n`;
  return out;
}
