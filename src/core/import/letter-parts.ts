/**
 * What a draft takes from an imported version: the addressee as one clean line (from the salutation) and a title
 * from the text when the version has no heading. Nothing is invented: both are lines, or parts of lines, as typed.
 */

/** Greetings that are not part of whom the letter addresses ("Dear", "با درود"). */
const GREETING = /^(?:dear|to|hello|greetings|attn\.?|attention|با\s*درود|با\s*سلام|سلام|درود|به)\s*[,:؛،]?\s*/iu;
const TRAILING = /[\s,;:؛،.!]+$/u;
/** Lines that greet and name nobody ("با درود؛", "Dear all,"). */
const BARE_GREETING = /^(?:with\s+)?(?:greetings|regards|hello|hi|با\s*درود|با\s*سلام|سلام|درود|dear\s+(?:all|friends|colleagues|sir|madam))[\s,;:؛،.!]*$/iu;

export const ADDRESSEE_MAX = 200;

/** The addressee from a salutation: its first line that names someone, trimmed of greetings and end punctuation. */
export function addresseeFromSalutation(salutation: string | null): string | null {
  if (!salutation) return null;
  for (const raw of salutation.split('\n')) {
    const line = raw.trim();
    if (!line || BARE_GREETING.test(line)) continue;
    const clean = line.replace(GREETING, '').replace(TRAILING, '').replace(/\s+/g, ' ').trim();
    if (clean && [...clean].length <= ADDRESSEE_MAX) return clean;
  }
  return null;
}

const TITLE_MAX = 160;

function cut(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const at = head.lastIndexOf(' ');
  return (at > max / 2 ? head.slice(0, at) : head).replace(TRAILING, '') + '…';
}

/**
 * A title for a version without a heading: the body's closing line naming who writes (a short last paragraph, as
 * letters sign off: "Former members … in various European countries"), else the body's first sentence, shortened.
 */
export function titleFromBody(body: string): string | null {
  const paragraphs = body.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
  if (!paragraphs.length) return null;
  const last = paragraphs[paragraphs.length - 1]!;
  if (paragraphs.length > 1 && [...last].length <= TITLE_MAX && !/[?؟]$/.test(last)) return last.replace(/[\s.]+$/u, '');
  const first = paragraphs[0]!;
  const sentence = /^(.+?[.!?؟])(?:\s|$)/u.exec(first)?.[1] ?? first;
  return cut(sentence.replace(/[\s.]+$/u, ''), TITLE_MAX);
}
