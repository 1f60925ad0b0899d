/**
 * Signatures: what a signer may submit, and the decisions of the signing loop. The use-cases load records,
 * call these functions, and save what they return; nothing here touches storage, the clock or randomness.
 */
import { DomainError, validationError, type FieldError } from '../errors.ts';
import type { Signature, Visibility } from '../model.ts';
import { checkText } from '../text.ts';
import { isCountryCode } from '../countries.ts';
import { checkEmail, holdsAddress, mailboxKey } from './mailbox.ts';

export const SIGNATURE_LIMITS = { name: 150, nameAlt: 150, title: 200, email: 254 } as const;

/** A confirmation link lives this long; a new one can be asked for at any time. */
export const CONFIRM_TOKEN_TTL_MS = 7 * 24 * 3600 * 1000;
/**
 * Threat: someone types a victim's address again and again to flood their inbox with our mail.
 * After this many confirmation mails for one signature we stop sending until the link expires.
 */
export const MAX_CONFIRMATION_MAILS = 5;

export interface SignatureInput {
  name?: unknown;
  nameAlt?: unknown;
  title?: unknown;
  country?: unknown;
  email?: unknown;
  visibility?: unknown;
  lang?: unknown;
  consentUpdates?: unknown;
}

export interface ValidSignatureInput {
  name: string;
  nameAlt?: string | undefined;
  title?: string | undefined;
  country?: string | undefined;
  email: string;
  emailKey: string;
  visibility: Visibility;
  lang: string;
  consentUpdates: boolean;
}

export function validateSignatureInput(input: SignatureInput, letter: { defaultLang: string; versions: readonly { lang: string }[] }): ValidSignatureInput {
  const errors: FieldError[] = [];
  const name = checkText(input.name, { field: 'name', required: true, max: SIGNATURE_LIMITS.name, refuseBidi: true }, errors);
  const nameAlt = checkText(input.nameAlt, { field: 'nameAlt', max: SIGNATURE_LIMITS.nameAlt, refuseBidi: true }, errors);
  const title = checkText(input.title, { field: 'title', max: SIGNATURE_LIMITS.title, refuseBidi: true }, errors);
  if (name !== undefined && !errors.some((e) => e.field === 'name') && !/\p{L}/u.test(name)) errors.push({ field: 'name', code: 'TOO_SHORT', limit: 1 });

  let country: string | undefined;
  if (input.country !== undefined && input.country !== null && input.country !== '') {
    if (typeof input.country !== 'string' || !isCountryCode(input.country.trim().toUpperCase())) errors.push({ field: 'country', code: 'INVALID_COUNTRY' });
    else country = input.country.trim().toUpperCase();
  }

  let email: string | undefined;
  if (input.email === undefined || input.email === null || input.email === '') errors.push({ field: 'email', code: 'REQUIRED' });
  else if (typeof input.email !== 'string') errors.push({ field: 'email', code: 'INVALID_TYPE' });
  else if (input.email.trim().length > SIGNATURE_LIMITS.email) errors.push({ field: 'email', code: 'TOO_LONG', limit: SIGNATURE_LIMITS.email });
  else {
    const checked = checkEmail(input.email);
    if (checked.ok) email = checked.email;
    else errors.push({ field: 'email', code: checked.code, ...(checked.code === 'TOO_LONG' ? { limit: SIGNATURE_LIMITS.email } : {}) });
  }
  // A name or title is shown on our pages and in our mails: no links in them.
  for (const [field, value] of [['name', name], ['nameAlt', nameAlt], ['title', title]] as const) {
    if (value !== undefined && !errors.some((e) => e.field === field) && holdsAddress(value)) errors.push({ field, code: 'HOLDS_ADDRESS' });
  }

  let visibility: Visibility = 'public';
  if (input.visibility !== undefined && input.visibility !== '') {
    if (input.visibility !== 'public' && input.visibility !== 'hidden') errors.push({ field: 'visibility', code: 'INVALID_CHOICE' });
    else visibility = input.visibility;
  }

  let lang = letter.defaultLang;
  if (input.lang !== undefined && input.lang !== '') {
    if (typeof input.lang !== 'string' || !letter.versions.some((v) => v.lang === input.lang)) errors.push({ field: 'lang', code: 'INVALID_CHOICE' });
    else lang = input.lang;
  }

  const c = input.consentUpdates;
  const consentUpdates = c === true || c === 'on' || c === 'true' || c === '1' || c === 'yes';

  if (errors.length || name === undefined || email === undefined) throw validationError(errors);
  return { name, nameAlt, title, country, email, emailKey: mailboxKey(email), visibility, lang, consentUpdates };
}

/** What signing does, given what storage already holds for this address on this letter. */
export type SignDecision =
  | { kind: 'create' }
  /** Pending: send a fresh confirmation link (the details typed this time replace the pending ones). */
  | { kind: 'resend' }
  /** Already confirmed: tell the address owner, change nothing. */
  | { kind: 'already-signed' }
  /** Too many mails to this address for this letter: send nothing (the screen looks the same). */
  | { kind: 'suppress' };

export function decideSign(existing: Signature | undefined, now: Date): SignDecision {
  if (!existing) return { kind: 'create' };
  if (existing.status === 'confirmed' || existing.status === 'held') return existing.mailsSent >= MAX_CONFIRMATION_MAILS ? { kind: 'suppress' } : { kind: 'already-signed' };
  if (existing.status === 'pending') {
    const expired = !existing.tokenExpiresAt || Date.parse(existing.tokenExpiresAt) <= now.getTime();
    if (existing.mailsSent >= MAX_CONFIRMATION_MAILS && !expired) return { kind: 'suppress' };
    return { kind: 'resend' };
  }
  // Withdrawn or invalidated: signing again starts a new confirmation on the same row.
  return existing.mailsSent >= MAX_CONFIRMATION_MAILS * 2 ? { kind: 'suppress' } : { kind: 'resend' };
}

/** Checks a confirmation token's signature before confirming; throws the code the page explains. */
export function checkConfirmable(sig: Signature | undefined, now: Date): Signature {
  if (!sig) throw new DomainError('TOKEN_INVALID', 'This confirmation link is not valid');
  if (sig.status === 'confirmed' || sig.status === 'held') throw new DomainError('SIGNATURE_ALREADY_CONFIRMED', 'This signature is already confirmed');
  if (sig.status !== 'pending') throw new DomainError('TOKEN_USED', 'This link was already used');
  if (!sig.tokenExpiresAt || Date.parse(sig.tokenExpiresAt) <= now.getTime()) throw new DomainError('TOKEN_EXPIRED', 'This confirmation link has expired');
  return sig;
}

/** What happens to a signature: the signing loop's and the organisers' events. */
export type SignatureEvent = 'sign' | 'confirm' | 'release' | 'remove' | 'withdraw' | 'merge';

/**
 * The signature state machine: the status after `event`, or undefined when the event does not apply in this status
 * (the use-cases answer with the matching error). A held signing (`hold` set) confirms into 'held', and only an
 * organiser's release makes it 'confirmed' (counted, listed, logged); removal ends it as 'invalidated'.
 */
export function nextStatus(sig: Pick<Signature, 'status' | 'hold'>, event: SignatureEvent): Signature['status'] | undefined {
  switch (event) {
    case 'sign':
      // Signing again: a pending, withdrawn or removed row starts a new confirmation; a confirmed or held one stays.
      return sig.status === 'confirmed' || sig.status === 'held' ? sig.status : 'pending';
    case 'confirm':
      return sig.status === 'pending' ? (sig.hold ? 'held' : 'confirmed') : undefined;
    case 'release':
      return sig.status === 'held' ? 'confirmed' : undefined;
    case 'remove':
      return sig.status === 'held' || sig.status === 'confirmed' ? 'invalidated' : undefined;
    case 'withdraw':
      return sig.status === 'pending' || sig.status === 'confirmed' || sig.status === 'held' ? 'withdrawn' : undefined;
    case 'merge':
      return sig.status === 'confirmed' ? 'invalidated' : undefined;
  }
}
