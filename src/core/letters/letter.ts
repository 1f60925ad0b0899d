/**
 * Letters: validation of what an organiser writes, the state machine draft → open → closed, and the rule
 * that the text freezes at the first confirmed signature (an edit then makes a new text version, so that
 * every signature stays tied to the exact words its signer saw).
 */
import { DomainError, validationError, type FieldError } from '../errors.ts';
import type { Letter, LetterState, LetterVersion, LetterWithText } from '../model.ts';
import { checkText } from '../text.ts';

export const LIMITS = {
  slug: 64,
  addresseeName: 200,
  addresseeTitle: 200,
  title: 300,
  body: 100_000,
  statement: 500,
  versions: 20,
  organisers: 20,
  goal: 1_000_000_000,
} as const;

const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,62})[a-z0-9]$/;
// BCP-47 subset: language, optional script, optional region (fa, en, fa-IR, az-Latn, zh-Hant-TW).
const LANG = /^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/u;

export interface LetterInput {
  slug?: unknown;
  addressee?: { name?: unknown; title?: unknown } | unknown;
  defaultLang?: unknown;
  goal?: unknown;
  versions?: unknown;
  organisers?: unknown;
  /** The addressees the letter is delivered to: [{name, title?, email, lang}] (issue 13). */
  targets?: unknown;
}

export interface ValidLetterInput {
  slug: string;
  addressee: { name: string; title?: string | undefined };
  defaultLang: string;
  goal?: number | undefined;
  versions: LetterVersion[];
  organisers: string[];
  targets: { name: string; title?: string | undefined; email: string; lang: string }[];
}

/** Canonical form of a language tag: `FA-ir` → `fa-IR`. */
export function canonicalLang(tag: string): string {
  const parts = tag.trim().replace(/_/g, '-').split('-');
  return parts
    .map((p, i) => (i === 0 ? p.toLowerCase() : p.length === 4 ? p[0]!.toUpperCase() + p.slice(1).toLowerCase() : p.toUpperCase()))
    .join('-');
}

export function isLangTag(tag: string): boolean {
  return LANG.test(tag);
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmail(email: string): boolean {
  return email.length <= 254 && EMAIL.test(email);
}

function checkVersion(v: unknown, i: number, errors: FieldError[]): LetterVersion | undefined {
  if (typeof v !== 'object' || v === null) {
    errors.push({ field: `versions.${i}`, code: 'INVALID_TYPE' });
    return undefined;
  }
  const o = v as Record<string, unknown>;
  let lang: string | undefined;
  if (typeof o.lang !== 'string' || !o.lang.trim()) errors.push({ field: `versions.${i}.lang`, code: 'REQUIRED' });
  else if (!isLangTag(canonicalLang(o.lang))) errors.push({ field: `versions.${i}.lang`, code: 'INVALID_LANGUAGE' });
  else lang = canonicalLang(o.lang);
  const title = checkText(o.title, { field: `versions.${i}.title`, required: true, max: LIMITS.title, refuseBidi: true }, errors);
  const body = checkText(o.body, { field: `versions.${i}.body`, required: true, max: LIMITS.body, multiline: true }, errors);
  const statement = checkText(o.statement, { field: `versions.${i}.statement`, max: LIMITS.statement, refuseBidi: true }, errors);
  let addressee: LetterVersion['addressee'];
  if (o.addressee !== undefined && o.addressee !== null) {
    const a = (typeof o.addressee === 'object' ? o.addressee : {}) as Record<string, unknown>;
    if (typeof o.addressee !== 'object') errors.push({ field: `versions.${i}.addressee`, code: 'INVALID_TYPE' });
    const name = checkText(a.name, { field: `versions.${i}.addressee.name`, max: LIMITS.addresseeName, refuseBidi: true }, errors);
    const atitle = checkText(a.title, { field: `versions.${i}.addressee.title`, max: LIMITS.addresseeTitle, refuseBidi: true }, errors);
    if (name) addressee = { name, title: atitle };
  }
  if (!lang || title === undefined || body === undefined) return undefined;
  return addressee ? { lang, title, body, statement, addressee } : { lang, title, body, statement };
}

/**
 * Validates a whole letter as an organiser submits it (web form, CLI file, API). `addresseeLater`: an imported draft
 * may leave the addressee empty for the organiser to fill in (publishing then asks for it).
 */
export function validateLetterInput(input: LetterInput, opts: { addresseeLater?: boolean } = {}): ValidLetterInput {
  const errors: FieldError[] = [];
  let slug: string | undefined;
  if (typeof input.slug !== 'string' || !input.slug.trim()) errors.push({ field: 'slug', code: 'REQUIRED' });
  else if (!SLUG.test(input.slug.trim())) errors.push({ field: 'slug', code: 'INVALID_SLUG' });
  else slug = input.slug.trim();

  const a = (typeof input.addressee === 'object' && input.addressee !== null ? input.addressee : {}) as Record<string, unknown>;
  if (input.addressee !== undefined && (typeof input.addressee !== 'object' || input.addressee === null)) {
    errors.push({ field: 'addressee', code: 'INVALID_TYPE' });
  }
  const addresseeName = checkText(a.name, { field: 'addressee.name', required: !opts.addresseeLater, max: LIMITS.addresseeName, refuseBidi: true }, errors);
  const addresseeTitle = checkText(a.title, { field: 'addressee.title', max: LIMITS.addresseeTitle, refuseBidi: true }, errors);

  let goal: number | undefined;
  if (input.goal !== undefined && input.goal !== null && input.goal !== '') {
    const g = typeof input.goal === 'string' ? Number(input.goal) : input.goal;
    if (typeof g !== 'number' || !Number.isInteger(g) || g < 1 || g > LIMITS.goal) errors.push({ field: 'goal', code: 'INVALID_NUMBER' });
    else goal = g;
  }

  const versions: LetterVersion[] = [];
  if (!Array.isArray(input.versions) || input.versions.length === 0) {
    errors.push({ field: 'versions', code: 'REQUIRED' });
  } else if (input.versions.length > LIMITS.versions) {
    errors.push({ field: 'versions', code: 'TOO_LONG', limit: LIMITS.versions });
  } else {
    const seen = new Set<string>();
    input.versions.forEach((v, i) => {
      const ok = checkVersion(v, i, errors);
      const rawLang = (v as { lang?: unknown } | null)?.lang;
      const lang = typeof rawLang === 'string' ? canonicalLang(rawLang) : undefined;
      if (lang && seen.has(lang)) errors.push({ field: `versions.${i}.lang`, code: 'DUPLICATE' });
      if (lang) seen.add(lang);
      if (ok) versions.push(ok);
    });
  }

  let defaultLang: string | undefined;
  if (typeof input.defaultLang !== 'string' || !input.defaultLang.trim()) {
    if (versions[0]) defaultLang = versions[0].lang;
    else errors.push({ field: 'defaultLang', code: 'REQUIRED' });
  } else {
    defaultLang = canonicalLang(input.defaultLang);
    if (versions.length && !versions.some((v) => v.lang === defaultLang)) errors.push({ field: 'defaultLang', code: 'INVALID_CHOICE' });
  }

  const organisers: string[] = [];
  if (input.organisers !== undefined) {
    if (!Array.isArray(input.organisers)) errors.push({ field: 'organisers', code: 'INVALID_TYPE' });
    else if (input.organisers.length > LIMITS.organisers) errors.push({ field: 'organisers', code: 'TOO_LONG', limit: LIMITS.organisers });
    else
      input.organisers.forEach((e, i) => {
        if (typeof e !== 'string' || !isEmail(e.trim())) errors.push({ field: `organisers.${i}`, code: 'INVALID_EMAIL' });
        else if (!organisers.includes(normaliseEmail(e))) organisers.push(normaliseEmail(e));
      });
  }

  const targets: ValidLetterInput['targets'] = [];
  if (input.targets !== undefined && input.targets !== null) {
    if (!Array.isArray(input.targets)) errors.push({ field: 'targets', code: 'INVALID_TYPE' });
    else if (input.targets.length > LIMITS.organisers) errors.push({ field: 'targets', code: 'TOO_LONG', limit: LIMITS.organisers });
    else
      input.targets.forEach((raw, i) => {
        const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
        const name = checkText(o.name, { field: `targets.${i}.name`, required: true, max: LIMITS.addresseeName, refuseBidi: true }, errors);
        const title = checkText(o.title, { field: `targets.${i}.title`, max: LIMITS.addresseeTitle, refuseBidi: true }, errors);
        const email = typeof o.email === 'string' && isEmail(o.email.trim()) ? o.email.trim() : undefined;
        if (!email) errors.push({ field: `targets.${i}.email`, code: 'INVALID_EMAIL' });
        const lang = o.lang === undefined ? defaultLang : typeof o.lang === 'string' && isLangTag(o.lang) ? canonicalLang(o.lang) : undefined;
        if (!lang) errors.push({ field: `targets.${i}.lang`, code: 'INVALID_LANGUAGE' });
        if (name && email && lang) targets.push({ name, title, email, lang });
      });
  }

  if (errors.length || !slug || (!addresseeName && !opts.addresseeLater) || !defaultLang) throw validationError(errors);
  return { slug, addressee: { name: addresseeName ?? '', title: addresseeTitle }, defaultLang, goal, versions, organisers, targets };
}

const TRANSITIONS: Record<LetterState, LetterState[]> = { draft: ['open'], open: ['closed'], closed: ['open'] };

/** A letter can be published when every version has a title and a body and the default language exists. */
export function checkPublishable(letter: LetterWithText): void {
  const missing: FieldError[] = [];
  if (!letter.versions.some((v) => v.lang === letter.defaultLang)) missing.push({ field: 'defaultLang', code: 'REQUIRED' });
  if (!letter.addressee.name.trim()) missing.push({ field: 'addressee.name', code: 'REQUIRED' });
  letter.versions.forEach((v, i) => {
    if (!v.title.trim()) missing.push({ field: `versions.${i}.title`, code: 'REQUIRED' });
    if (!v.body.trim()) missing.push({ field: `versions.${i}.body`, code: 'REQUIRED' });
  });
  if (!letter.versions.length) missing.push({ field: 'versions', code: 'REQUIRED' });
  if (missing.length) throw new DomainError('LETTER_INCOMPLETE', 'The letter is not complete', missing);
}

export function transition(letter: LetterWithText, to: LetterState, now: string): Letter {
  if (!TRANSITIONS[letter.state].includes(to)) {
    throw new DomainError('LETTER_ILLEGAL_TRANSITION', `A ${letter.state} letter cannot become ${to}`);
  }
  if (to === 'open') checkPublishable(letter);
  const { versions: _v, ...rest } = letter;
  return {
    ...rest,
    state: to,
    updatedAt: now,
    openedAt: to === 'open' ? rest.openedAt ?? now : rest.openedAt,
    closedAt: to === 'closed' ? now : undefined,
  };
}

/**
 * Decides how an edit of the text is stored: in place while nobody has confirmed, otherwise as a new
 * text version (the words people signed are never rewritten under them).
 */
export function textVersionForEdit(letter: Letter, hasConfirmedSignatures: boolean): number {
  return hasConfirmedSignatures ? letter.textVersion + 1 : letter.textVersion;
}

export function versionFor<V extends { lang: string }>(letter: { versions: readonly V[] }, lang: string): V | undefined {
  return letter.versions.find((v) => v.lang === lang);
}

export function canSign(letter: Pick<Letter, 'state'>): void {
  if (letter.state === 'closed') throw new DomainError('LETTER_CLOSED', 'This letter is closed to new signatures');
  if (letter.state !== 'open') throw new DomainError('LETTER_NOT_OPEN', 'This letter is not open for signatures');
}
