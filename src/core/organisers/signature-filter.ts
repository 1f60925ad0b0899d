/**
 * The organisers' view of a letter's signatures: filters (state, source, country, dates, a name in any script),
 * checked here so that the web table, the API and bulk removal select exactly the same rows.
 */
import { validationError, type FieldError } from '../errors.ts';
import type { Signature } from '../model.ts';
import { isCountryCode } from '../countries.ts';
import { tokenize } from '../names/normalise.ts';
import { latinSkeletons, persianSkeleton } from '../names/blocking.ts';

/**
 * held: waiting for an organiser — held for a check at signing (status 'held': not counted until released) or
 * confirmed and waiting in an open duplicate review (counted). removed: invalidated by an organiser.
 */
export const SIGNATURE_STATES = ['pending', 'confirmed', 'held', 'withdrawn', 'removed'] as const;
export type SignatureState = (typeof SIGNATURE_STATES)[number];
export const SIGNATURE_SOURCES = ['email', 'imported', 'paper'] as const;
export type SignatureSource = (typeof SIGNATURE_SOURCES)[number];

export interface SignatureFilter {
  state?: SignatureState | undefined;
  source?: SignatureSource | undefined;
  country?: string | undefined;
  /** ISO dates (YYYY-MM-DD), inclusive, on when the signature was made. */
  from?: string | undefined;
  to?: string | undefined;
  /** A name or part of one, in any script: matched through the names engine's consonant skeletons. */
  q?: string | undefined;
  /** `undeliverable`: only signers whose address a mail server refused for good (an SMTP 5xx to RCPT TO). */
  mail?: 'undeliverable' | undefined;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Validates a filter from a query string or a JSON body; unknown values name their field. */
export function parseSignatureFilter(raw: Record<string, unknown>): SignatureFilter {
  const errors: FieldError[] = [];
  const str = (k: string) => {
    const v = raw[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') {
      errors.push({ field: k, code: 'INVALID_TYPE' });
      return undefined;
    }
    return v.trim() || undefined;
  };
  const out: SignatureFilter = {};
  const state = str('state');
  if (state !== undefined) {
    if ((SIGNATURE_STATES as readonly string[]).includes(state)) out.state = state as SignatureState;
    else errors.push({ field: 'state', code: 'INVALID_CHOICE' });
  }
  const source = str('source');
  if (source !== undefined) {
    if ((SIGNATURE_SOURCES as readonly string[]).includes(source)) out.source = source as SignatureSource;
    else errors.push({ field: 'source', code: 'INVALID_CHOICE' });
  }
  const country = str('country')?.toUpperCase();
  if (country !== undefined) {
    if (isCountryCode(country)) out.country = country;
    else errors.push({ field: 'country', code: 'INVALID_COUNTRY' });
  }
  for (const k of ['from', 'to'] as const) {
    const d = str(k);
    if (d === undefined) continue;
    if (DATE.test(d) && !Number.isNaN(Date.parse(d))) out[k] = d;
    else errors.push({ field: k, code: 'INVALID_CHOICE' });
  }
  const mail = str('mail');
  if (mail !== undefined) {
    if (mail === 'undeliverable') out.mail = mail;
    else errors.push({ field: 'mail', code: 'INVALID_CHOICE' });
  }
  const q = str('q');
  if (q !== undefined) {
    if ([...q].length > 200) errors.push({ field: 'q', code: 'TOO_LONG', limit: 200 });
    else out.q = q;
  }
  if (errors.length) throw validationError(errors);
  return out;
}

export function stateOf(sig: Signature, held: boolean): SignatureState {
  if (sig.status === 'invalidated') return 'removed';
  if (sig.status === 'held' || (sig.status === 'confirmed' && held)) return 'held';
  return sig.status;
}

function skeletonsOf(text: string): string[] {
  const out: string[] = [];
  for (const t of tokenize(text)) {
    if (t.script === 'arab') out.push(persianSkeleton(t.text));
    else if (t.script === 'latn') out.push(...latinSkeletons(t.text));
    else out.push(t.text.toLowerCase());
  }
  return out.filter(Boolean);
}

/** The skeletons of a name's tokens and of adjacent tokens joined (نصر اللهی = Nasrollahi). */
function nameSkeletons(name: string): string[] {
  const toks = tokenize(name);
  const per = toks.map((t) => skeletonsOf(t.text));
  const out = new Set(per.flat());
  for (let i = 0; i + 1 < per.length; i++) for (const a of per[i]!) for (const b of per[i + 1]!) out.add(a + b);
  return [...out];
}

/**
 * A matcher for a typed name: every word typed must match a word of the name (or two adjacent words joined) by its
 * consonant skeleton, in either script, or be found in the name as typed. "nasrolahi" finds علیرضا نصر اللهی.
 */
export function nameMatcher(query: string): (name: string, nameAlt?: string | undefined) => boolean {
  const words = tokenize(query).map((t) => ({ text: t.text.toLowerCase(), skeletons: skeletonsOf(t.text) }));
  if (!words.length) return () => true;
  return (name, nameAlt) => {
    const candidates = [name, nameAlt].filter((n): n is string => !!n);
    return candidates.some((n) => {
      const lower = n.toLowerCase();
      const sk = nameSkeletons(n);
      return words.every((w) => lower.includes(w.text) || w.skeletons.some((s) => !!s && sk.some((k) => k.startsWith(s) || (s.length >= 2 && k.includes(s)))));
    });
  };
}

/**
 * How a signature came: email (confirmed by its signer), or added by an organiser from paper or an imported list.
 * `recorded` is the source an organiser's import recorded; a signatory of an imported letter has none (imported).
 */
export function sourceOf(sig: Signature, recorded?: SignatureSource | undefined): SignatureSource {
  return recorded ?? (sig.imported ? 'imported' : 'email');
}

/**
 * Whether a signature passes the filter; `held` tells whether it waits in an open duplicate review, `source` how it
 * came (sourceOf), `undeliverable` whether a mail server refused its address for good.
 */
export function signatureFilter(f: SignatureFilter): (sig: Signature, held: boolean, source?: SignatureSource, undeliverable?: boolean) => boolean {
  const byName = f.q ? nameMatcher(f.q) : undefined;
  const to = f.to ? `${f.to}T99` : undefined; // inclusive: every time of that day sorts before "T99"
  return (sig, held, source, undeliverable = false) => {
    if (f.mail === 'undeliverable' && !undeliverable) return false;
    if (f.state && stateOf(sig, held) !== f.state && !(f.state === 'confirmed' && held && sig.status === 'confirmed')) return false;
    if (f.source && f.source !== (source ?? sourceOf(sig))) return false;
    if (f.country && sig.country !== f.country) return false;
    if (f.from && sig.createdAt < f.from) return false;
    if (to && sig.createdAt > to) return false;
    if (byName && !byName(sig.name, sig.nameAlt)) return false;
    return true;
  };
}
