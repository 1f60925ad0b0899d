/**
 * Updates to signers and the addressee's reply: what an owner may send or record, checked here (pure). An update
 * is a subject and a body per language; the letter's default language must be there (a signer whose language the
 * update lacks gets that one). A reply is its text in one or more languages, the date it came, and optionally a PDF.
 */
import { validationError, type FieldError } from '../errors.ts';
import { checkText } from '../text.ts';
import { canonicalLang, isLangTag } from '../letters/letter.ts';
import type { ReplyText } from '../model.ts';
import { utf8 } from '../log/bytes.ts';

export const UPDATE_LIMITS = { subject: 200, body: 20_000, languages: 20, replyBody: 50_000, replyPdfBytes: 5 * 1024 * 1024 } as const;

export interface ValidUpdate {
  subject: Record<string, string>;
  body: Record<string, string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks `{subject: {lang: text}, body: {lang: text}}`: the same languages in both, each a language tag, the
 * letter's default language among them, texts within their limits and free of bidi and control characters.
 */
export function validateUpdate(input: { subject?: unknown; body?: unknown }, defaultLang: string): ValidUpdate {
  const errors: FieldError[] = [];
  const subject: Record<string, string> = {};
  const body: Record<string, string> = {};
  for (const part of ['subject', 'body'] as const) {
    const raw = input[part];
    if (raw === undefined || raw === null) {
      errors.push({ field: `${part}.${defaultLang}`, code: 'REQUIRED' });
      continue;
    }
    if (!isRecord(raw)) {
      errors.push({ field: part, code: 'INVALID_TYPE' });
      continue;
    }
    const entries = Object.entries(raw);
    if (entries.length > UPDATE_LIMITS.languages) errors.push({ field: part, code: 'TOO_LONG', limit: UPDATE_LIMITS.languages });
    for (const [tag, text] of entries.slice(0, UPDATE_LIMITS.languages)) {
      if (!isLangTag(tag)) {
        errors.push({ field: `${part}.${tag.slice(0, 20)}`, code: 'INVALID_LANGUAGE' });
        continue;
      }
      const lang = canonicalLang(tag);
      const v = part === 'subject'
        ? checkText(text, { field: `${part}.${lang}`, max: UPDATE_LIMITS.subject, refuseBidi: true }, errors)
        : checkText(text, { field: `${part}.${lang}`, max: UPDATE_LIMITS.body, multiline: true }, errors);
      if (v !== undefined) (part === 'subject' ? subject : body)[lang] = v;
    }
  }
  for (const lang of new Set([...Object.keys(subject), ...Object.keys(body)])) {
    if (!(lang in subject)) errors.push({ field: `subject.${lang}`, code: 'REQUIRED' });
    if (!(lang in body)) errors.push({ field: `body.${lang}`, code: 'REQUIRED' });
  }
  if (!(defaultLang in subject) && !errors.some((e) => e.field === `subject.${defaultLang}`)) errors.push({ field: `subject.${defaultLang}`, code: 'REQUIRED' });
  if (!(defaultLang in body) && !errors.some((e) => e.field === `body.${defaultLang}`)) errors.push({ field: `body.${defaultLang}`, code: 'REQUIRED' });
  if (errors.length) throw validationError(errors, 'The update needs a subject and a body, at least in the letter\'s default language');
  return { subject, body };
}

/** The language of the update a signer gets: theirs when the update has it, else the letter's default, else its first. */
export function updateLangFor(update: { subject: Record<string, string> }, signerLang: string, defaultLang: string): string {
  if (Object.hasOwn(update.subject, signerLang)) return signerLang;
  if (Object.hasOwn(update.subject, defaultLang)) return defaultLang;
  return Object.keys(update.subject)[0] ?? defaultLang;
}

/**
 * The text that makes two sends the same update (a double click, a client retrying): the languages in order, each
 * subject and body. Hashed by the caller into the update's key unless the client named a key.
 */
export function updateFingerprint(u: ValidUpdate): string {
  return Object.keys(u.subject).sort().map((l) => `${l}\n${u.subject[l]}\n${u.body[l]}`).join('\n\u0000\n');
}

export interface ValidReply {
  receivedOn: string;
  texts: ReplyText[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date YYYY-MM-DD that exists (2026-02-30 does not). */
export function isCalendarDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * Checks a reply: `texts` {lang: Markdown} (one or more), `receivedOn` a date not after `today`; a PDF, when given,
 * must look like one (%PDF-) and stay under 5 MB.
 */
export function validateReply(input: { texts?: unknown; receivedOn?: unknown }, today: string, pdf?: Uint8Array): ValidReply {
  const errors: FieldError[] = [];
  const texts: ReplyText[] = [];
  const raw = input.texts;
  if (!isRecord(raw) || !Object.keys(raw).length) errors.push({ field: 'texts', code: raw === undefined || isRecord(raw) ? 'REQUIRED' : 'INVALID_TYPE' });
  else {
    const entries = Object.entries(raw);
    if (entries.length > UPDATE_LIMITS.languages) errors.push({ field: 'texts', code: 'TOO_LONG', limit: UPDATE_LIMITS.languages });
    for (const [tag, text] of entries.slice(0, UPDATE_LIMITS.languages)) {
      if (!isLangTag(tag)) {
        errors.push({ field: `texts.${tag.slice(0, 20)}`, code: 'INVALID_LANGUAGE' });
        continue;
      }
      const lang = canonicalLang(tag);
      const v = checkText(text, { field: `texts.${lang}`, max: UPDATE_LIMITS.replyBody, multiline: true }, errors);
      if (v !== undefined) texts.push({ lang, body: v });
    }
    if (!texts.length && !errors.length) errors.push({ field: 'texts', code: 'REQUIRED' });
  }
  const date = typeof input.receivedOn === 'string' ? input.receivedOn.trim() : input.receivedOn;
  if (date === undefined || date === null || date === '') errors.push({ field: 'receivedOn', code: 'REQUIRED' });
  else if (typeof date !== 'string' || !isCalendarDate(date) || date > today) errors.push({ field: 'receivedOn', code: 'INVALID_DATE' });
  if (pdf !== undefined && pdf.length > 0) {
    const head = String.fromCharCode(...pdf.subarray(0, 5));
    if (head !== '%PDF-') errors.push({ field: 'pdf', code: 'INVALID_FILE' });
    else if (pdf.length > UPDATE_LIMITS.replyPdfBytes) errors.push({ field: 'pdf', code: 'TOO_LONG', limit: UPDATE_LIMITS.replyPdfBytes });
  }
  if (errors.length) throw validationError(errors, 'The reply needs its text and the date it came');
  texts.sort((a, b) => (a.lang < b.lang ? -1 : a.lang > b.lang ? 1 : 0));
  return { receivedOn: date as string, texts };
}

/**
 * The canonical text of a reply, whose SHA-256 the log's `reply` entry carries (docs/transparency-log.md): UTF-8 of
 * "date <YYYY-MM-DD>\n", then per language in code order "lang <tag>\nbytes <UTF-8 length of the body>\n<body>\n".
 * The bodies as typed (trimmed, CRLF → LF), so ZWNJ and ی/ي stay what the owner wrote.
 */
export function canonicalReply(r: ValidReply): Uint8Array {
  return utf8(`date ${r.receivedOn}\n` + r.texts.map((x) => `lang ${x.lang}\nbytes ${utf8(x.body).length}\n${x.body}\n`).join(''));
}

/** The goal was reached: the owners are offered a milestone update (once, until one is sent). */
export function goalReached(goal: number | undefined, count: number): boolean {
  return goal !== undefined && goal > 0 && count >= goal;
}
