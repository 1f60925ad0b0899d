/**
 * Reads a plain-text open letter (as pasted from a web page or a PDF) into language versions: title,
 * salutation, body, date and signatory list, plus the count the text claims ("نامۀ ۴۸ نفر", "signed by 120
 * people"). Pure: no I/O; the caller reads the file.
 *
 * Heuristics, deliberately general (other letters have other headings):
 * - language blocks are maximal runs of lines whose letters are mostly in one script; small runs in another
 *   script (a name quoted inside a Persian paragraph) do not start a block;
 * - the signatory list is the longest run (≥ 3) of consecutive "name-like" lines: short, few words, no
 *   sentence punctuation, no prose function words; list numbering ("12.", "۱۲-") is stripped;
 * - the title is a short first line that is not a salutation; the salutation is an early line that
 *   looks like an address ("Dear", "جناب", "Honorable …") ; the date is a short line holding a year.
 * Nothing typed is altered: every extracted string is a trimmed line of the input.
 */
import { asciiDigits } from '../names/normalise.ts';

export interface ParsedVersion {
  /** BCP 47 language guessed from script and common words ('fa', 'ar', 'en', 'fr', 'de', 'es', 'und'). */
  lang: string;
  script: 'arab' | 'latn' | 'other';
  title: string | null;
  /** Heading lines after the title and before the salutation or body. */
  subtitle: string | null;
  salutation: string | null;
  /** Paragraphs separated by a blank line. */
  body: string;
  date: string | null;
  signatories: string[];
  /** 0-based line range [start, end) of the block in the input. */
  lines: [number, number];
}

export interface ParsedLetter {
  versions: ParsedVersion[];
  /** The number of signatories the text itself states, or null. */
  claimedCount: number | null;
  warnings: string[];
}

export interface ParseOptions {
  /** Called now and then on large inputs: lines done, lines total. */
  onProgress?: (done: number, total: number, phase: string) => void;
}

interface Line {
  no: number;
  text: string;
  script: 'arab' | 'latn' | 'other' | 'none';
  letters: number;
}

function lineScript(text: string): { script: Line['script']; letters: number } {
  let arab = 0;
  let latn = 0;
  let other = 0;
  for (const ch of text) {
    if (/\p{Script=Arabic}/u.test(ch)) {
      if (/\p{L}/u.test(ch)) arab++;
    } else if (/\p{Script=Latin}/u.test(ch)) latn++;
    else if (/\p{L}/u.test(ch)) other++;
  }
  const letters = arab + latn + other;
  if (letters === 0) return { script: 'none', letters };
  if (arab >= latn && arab >= other) return { script: 'arab', letters };
  if (latn >= other) return { script: 'latn', letters };
  return { script: 'other', letters };
}

/** Runs shorter than this (lines and letters) are absorbed by their neighbours. */
const MIN_BLOCK_LINES = 3;
const MIN_BLOCK_LETTERS = 120;

function splitBlocks(lines: Line[]): Line[][] {
  type Run = { script: Line['script']; lines: Line[] };
  let runs: Run[] = [];
  for (const l of lines) {
    const last = runs[runs.length - 1];
    if (last && (l.script === 'none' || l.script === last.script)) last.lines.push(l);
    else if (l.script === 'none' && !last) runs.push({ script: 'none', lines: [l] });
    else runs.push({ script: l.script, lines: [l] });
  }
  // absorb small runs into the previous run (or the next one at the start)
  const small = (r: Run) =>
    r.lines.length < MIN_BLOCK_LINES && r.lines.reduce((n, l) => n + l.letters, 0) < MIN_BLOCK_LETTERS;
  let changed = true;
  while (changed && runs.length > 1) {
    changed = false;
    for (let i = 0; i < runs.length; i++) {
      const r = runs[i]!;
      if (!small(r) && r.script !== 'none') continue;
      const target = i > 0 ? runs[i - 1]! : runs[i + 1]!;
      if (i > 0) target.lines.push(...r.lines);
      else target.lines.unshift(...r.lines);
      runs.splice(i, 1);
      changed = true;
      break;
    }
    // merge neighbours that now share a script
    const merged: Run[] = [];
    for (const r of runs) {
      const last = merged[merged.length - 1];
      if (last && last.script === r.script) last.lines.push(...r.lines);
      else merged.push(r);
    }
    runs = merged;
  }
  return runs.map((r) => r.lines);
}

const PROSE_WORDS = new Set([
  // Persian function words that names do not contain
  'از', 'به', 'در', 'که', 'را', 'با', 'این', 'آن', 'است', 'بر', 'برای', 'تا', 'هم', 'یا', 'می', 'ما', 'شما', 'اند',
  // Latin-script function words
  'the', 'of', 'and', 'to', 'in', 'we', 'for', 'is', 'are', 'with', 'that', 'this', 'our', 'your', 'on', 'as', 'by',
  'les', 'des', 'et', 'une', 'est', 'nous', 'der', 'die', 'und', 'wir', 'los', 'las',
  // not listed: particles that are parts of names (El, Al, La, Le, De, Van, Von, Du)
]);
// "Anne", "Ali"… are names; "آن" is also a name (Anne), so it must not disqualify a line on its own
const NAME_EXCEPTIONS = new Set(['آن']);

const NUMBERING = /^\s*(?:[([]?\d{1,6}[)\].\-–:]|\d{1,6}\s*[-–]\s|[-–•*·▪]\s)\s*/;

/** Strips list numbering/bullets: "12. Ali Rezaei", "۱۲- علی رضایی", "• Ali". */
function stripNumbering(text: string): string {
  const ascii = asciiDigits(text);
  const m = NUMBERING.exec(ascii);
  if (!m) return text;
  // asciiDigits keeps string length (one code unit per digit), so the match length maps back
  return text.slice(m[0].length).trim();
}

/** A line that could be one signatory's name (possibly followed by ", affiliation"). */
export function nameFromLine(raw: string): string | null {
  const text = stripNumbering(raw.trim());
  if (!text || text.length > 60) return null;
  const namePart = text.split(/\s+[-–—|]\s+|[,،]\s*/)[0]!.trim();
  if (!namePart) return null;
  if (/[.!?؟;؛:…"“”«»()[\]{}@/\\]/.test(namePart.replace(/\b\p{L}\.(?=\s|$)/gu, ''))) return null;
  if (/[\d\u06F0-\u06F9\u0660-\u0669]/.test(namePart)) return null;
  const words = namePart.split(/\s+/);
  if (words.length > 6) return null;
  if (!/\p{L}/u.test(namePart)) return null;
  for (const w of words) {
    const lw = w.toLowerCase();
    if (PROSE_WORDS.has(lw) && !NAME_EXCEPTIONS.has(w)) return null;
  }
  return namePart;
}

const SALUTATION = new RegExp(
  [
    '^(?:جناب|سرکار|حضور|خدمت|عالیجناب|ریاست|آقای|خانم|با\\s*درود|با\\s*سلام|سلام|درود|به\\s+(?:جناب|حضور|ریاست))',
    '^(?:dear|to\\b|honou?rable|his excellency|her excellency|your excellency|excellency|mr\\.?\\s|mrs\\.?\\s|ms\\.?\\s|madam|sir\\b|hello|greetings|attn|attention)',
    '^(?:monsieur|madame|cher|chère|sehr geehrte|liebe|estimad[oa]|señor|señora)',
  ].join('|'),
  'iu',
);

function isSalutation(text: string): boolean {
  return SALUTATION.test(text.trim()) && text.length <= 160;
}

const MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
  'janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre',
  'januar', 'februar', 'märz', 'juni', 'juli', 'oktober', 'dezember',
  'ژانویه', 'فوریه', 'مارس', 'آوریل', 'مه', 'می', 'ژوئن', 'ژوئیه', 'جولای', 'اوت', 'آگوست', 'سپتامبر', 'اکتبر', 'نوامبر', 'دسامبر',
  'فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند',
];
const MONTH_RE = new RegExp(`(?:^|[^\\p{L}])(?:${MONTHS.join('|')})(?=$|[^\\p{L}])`, 'iu');

/** A short line holding a year (Gregorian or Persian solar), with a month name or a numeric date. */
export function isDateLine(raw: string): boolean {
  const text = asciiDigits(raw.trim());
  if (text.length > 48) return false;
  const year = /(?:^|\D)(1[3-4]\d\d|19\d\d|20\d\d)(?:\D|$)/.test(text);
  if (!year) return false;
  const numeric = /\b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b/.test(text);
  return numeric || MONTH_RE.test(text);
}

const CLAIM_PATTERNS: RegExp[] = [
  /(\d[\d,]*)\s*(?:نفر|تن(?=\s|$)|امضا|امضاکننده|امضا\s*کننده|عضو)/u,
  /(?:امضای|به\s*امضای)\s*(\d[\d,]*)/u,
  /(?:signed by|signatures? of|signed on behalf of)\s+(\d[\d,]*)/iu,
  /(\d[\d,]*)\s+(?:people|persons|signatories|signatures|signers|signees|members|former members|individuals|citizens|organi[sz]ations|scholars|academics|artists|writers|lawyers|activists)\b/iu,
  /(\d[\d,]*)\s+(?:personnes|signataires|membres|Unterzeichner|Personen|firmantes|personas)\b/iu,
];

/** The signatory count a text states, or null. Persian and Arabic-Indic digits are read too. */
export function findClaimedCount(text: string): number | null {
  const t = asciiDigits(text);
  for (const re of CLAIM_PATTERNS) {
    const m = re.exec(t);
    if (m) {
      const n = Number(m[1]!.replace(/,/g, ''));
      if (Number.isSafeInteger(n) && n > 0 && n < 100_000_000) return n;
    }
  }
  return null;
}

function guessLang(script: Line['script'], text: string): string {
  if (script === 'arab') {
    // letters Persian has and Arabic lacks (Arabic keyboards still type ي/ك, so count Persian-only ones)
    return /[پچژگیک]/u.test(text) ? 'fa' : 'ar';
  }
  if (script === 'latn') {
    const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
    const score: Record<string, number> = { en: 0, fr: 0, de: 0, es: 0 };
    const lexicon: Record<string, string[]> = {
      en: ['the', 'and', 'of', 'to', 'we', 'is', 'are', 'with', 'that'],
      fr: ['le', 'la', 'les', 'et', 'des', 'nous', 'est', 'une', 'pour'],
      de: ['der', 'die', 'das', 'und', 'wir', 'ist', 'nicht', 'mit'],
      es: ['el', 'los', 'las', 'y', 'que', 'nosotros', 'una', 'por'],
    };
    const sets = Object.fromEntries(Object.entries(lexicon).map(([k, v]) => [k, new Set(v)]));
    for (const w of words) for (const k of Object.keys(sets)) if (sets[k]!.has(w)) score[k]!++;
    const best = Object.entries(score).sort((a, b) => b[1] - a[1])[0]!;
    return best[1] > 0 ? best[0] : 'en';
  }
  return 'und';
}

function longestNameRun(lines: Line[]): [number, number] | null {
  let best: [number, number] | null = null;
  let start = -1;
  for (let i = 0; i <= lines.length; i++) {
    const ok = i < lines.length && nameFromLine(lines[i]!.text) !== null;
    if (ok && start < 0) start = i;
    if (!ok && start >= 0) {
      // ties go to the later run: lists usually close a letter
      if (i - start >= MIN_BLOCK_LINES && (!best || i - start >= best[1] - best[0])) best = [start, i];
      start = -1;
    }
  }
  return best;
}

function parseBlock(block: Line[]): ParsedVersion {
  const script = (block.find((l) => l.script !== 'none')?.script ?? 'other') as ParsedVersion['script'];
  const allText = block.map((l) => l.text).join('\n');
  const lang = guessLang(script, allText);
  const run = longestNameRun(block);
  const signatories = run ? block.slice(run[0], run[1]).map((l) => nameFromLine(l.text)!) : [];
  const textLines = run ? [...block.slice(0, run[0]), ...block.slice(run[1])] : block;

  let date: string | null = null;
  let dateIdx = -1;
  for (let i = textLines.length - 1; i >= 0; i--) {
    if (isDateLine(textLines[i]!.text)) {
      date = textLines[i]!.text;
      dateIdx = i;
      break;
    }
  }
  const rest = textLines.filter((_, i) => i !== dateIdx);

  let i = 0;
  let title: string | null = null;
  const subtitle: string[] = [];
  const headingLike = (t: string) => t.length <= 200 && !/[.!?؟:;؛,،]\s*$/.test(t) && !isSalutation(t);
  if (rest[0] && headingLike(rest[0].text)) {
    title = rest[0].text;
    i = 1;
    // further heading lines until the salutation, if one comes within the next two lines
    const salAt = rest.slice(i, i + 3).findIndex((l) => isSalutation(l.text));
    if (salAt > 0) {
      for (let k = 0; k < salAt; k++) {
        if (headingLike(rest[i]!.text)) subtitle.push(rest[i++]!.text);
        else break;
      }
    }
  }
  const salutation: string[] = [];
  if (rest[i] && isSalutation(rest[i]!.text)) {
    salutation.push(rest[i++]!.text);
    // a greeting right after the address ("با درود؛", "Dear friends,") belongs to the salutation
    while (rest[i] && rest[i]!.text.length <= 40 && (isSalutation(rest[i]!.text) || /[,:؛،]\s*$/.test(rest[i]!.text))) {
      salutation.push(rest[i++]!.text);
    }
  }
  const body = rest
    .slice(i)
    .map((l) => l.text)
    .join('\n\n');
  return {
    lang,
    script,
    title,
    subtitle: subtitle.length ? subtitle.join('\n') : null,
    salutation: salutation.length ? salutation.join('\n') : null,
    body,
    date,
    signatories,
    lines: [block[0]!.no, block[block.length - 1]!.no + 1],
  };
}

/** Parses a plain-text letter. */
export function parseLetterText(text: string, opts: ParseOptions = {}): ParsedLetter {
  const raw = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const lines: Line[] = [];
  const step = 5000;
  for (let no = 0; no < raw.length; no++) {
    const t = raw[no]!.trim();
    if (!t) continue;
    const { script, letters } = lineScript(t);
    lines.push({ no, text: t, script, letters });
    if (opts.onProgress && no % step === 0) opts.onProgress(no, raw.length, 'reading');
  }
  opts.onProgress?.(raw.length, raw.length, 'reading');
  const warnings: string[] = [];
  if (lines.length === 0) return { versions: [], claimedCount: null, warnings: ['The text is empty.'] };
  const versions = splitBlocks(lines).map(parseBlock);

  // the claim is looked for in headings first, then anywhere
  let claimedCount: number | null = null;
  const claims = new Set<number>();
  for (const v of versions) {
    for (const part of [v.title, v.subtitle, v.salutation, v.body]) {
      if (!part) continue;
      const c = findClaimedCount(part);
      if (c !== null) {
        claims.add(c);
        if (claimedCount === null) claimedCount = c;
        break;
      }
    }
  }
  if (claims.size > 1) warnings.push(`The versions state different counts: ${[...claims].join(', ')}.`);
  const langs = new Map<string, number>();
  for (const v of versions) langs.set(v.lang, (langs.get(v.lang) ?? 0) + 1);
  for (const [l, n] of langs) if (n > 1) warnings.push(`${n} separate blocks look like language '${l}'.`);
  for (const v of versions) if (v.signatories.length === 0) warnings.push(`No signatory list found in the '${v.lang}' version.`);
  return { versions, claimedCount, warnings };
}
