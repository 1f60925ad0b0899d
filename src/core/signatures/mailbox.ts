/**
 * Email addresses as mailboxes. Threats: an address carrying invisible characters (zero-width, bidi, controls) that
 * is stored as typed but delivered with them stripped (one mailbox, many "different" signatures; mail to an address
 * the signer never typed); one mailbox signing many times through variants (letter case, +tags, Gmail's dots).
 *
 * - `checkEmail` refuses controls, invisible and bidi characters with a field code, and returns the address as it
 *   will be stored and mailed: the local part as typed, the domain lower case in its IDNA (ASCII) form.
 * - `mailboxKey` is the comparison key of one mailbox: lower case, +tag dropped, and for providers that document
 *   that dots do not matter (Gmail, googlemail.com) the dots dropped. One signature per letter per key.
 */
import type { FieldErrorCode } from '../errors.ts';

const CONTROLS = /[\u0000-\u001F\u007F-\u009F]/u;
const BIDI = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
/** Characters that show nothing: zero-width, joiners, word joiner and invisible operators, BOM, soft hyphen, fillers,
 * variation selectors, tags. */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each invisible (combining marks too) is matched on its own
const INVISIBLE = /[\u00AD\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200D\u2060-\u2064\u3164\uFE00-\uFE0F\uFEFF\uFFA0\u{E0000}-\u{E007F}\u{E0100}-\u{E01EF}]/u;
const LOCAL = /^[^\s@<>()[\]\\,;:"]{1,64}$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Providers that document that dots in the local part are ignored (and the domain they share). */
const DOTLESS: Record<string, string> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/** The domain in IDNA ASCII form, lower case, or undefined when it is no valid host name. */
export function asciiDomain(domain: string): string | undefined {
  if (!domain || domain.length > 253) return undefined;
  let host: string;
  try {
    // WHATWG URL applies UTS #46 (IDNA) processing: the standard, pure conversion every browser uses.
    host = new URL(`http://${domain}/`).hostname;
  } catch {
    return undefined;
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  const labels = host.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return undefined;
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels.at(-1)!)) return undefined;
  return host;
}

export type EmailCheck = { ok: true; email: string } | { ok: false; code: FieldErrorCode };

/** The address to store and mail to, or why it is refused. `raw` is trimmed first. */
export function checkEmail(raw: string): EmailCheck {
  const v = raw.trim();
  if (CONTROLS.test(v)) return { ok: false, code: 'CONTROL_CHARACTER' };
  // Before trimming too: trim() drops a leading or trailing U+FEFF, which a mail client might not.
  if (BIDI.test(raw)) return { ok: false, code: 'BIDI_CONTROL' };
  if (INVISIBLE.test(raw) || !v.isWellFormed()) return { ok: false, code: 'INVISIBLE_CHARACTER' };
  const at = v.lastIndexOf('@');
  if (at <= 0 || v.indexOf('@') !== at) return { ok: false, code: 'INVALID_EMAIL' };
  const local = v.slice(0, at);
  const domain = asciiDomain(v.slice(at + 1));
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..') || !domain) return { ok: false, code: 'INVALID_EMAIL' };
  const email = `${local}@${domain}`;
  if (email.length > 254) return { ok: false, code: 'TOO_LONG' };
  return { ok: true, email };
}

/** One mailbox's comparison key, from an address `checkEmail` accepted. */
export function mailboxKey(email: string): string {
  const at = email.lastIndexOf('@');
  let local = email.slice(0, at).normalize('NFC').toLowerCase();
  let domain = email.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  const dotless = DOTLESS[domain];
  if (dotless) {
    domain = dotless;
    local = local.replace(/\./g, '');
  }
  return `${local}@${domain}`;
}

const URL_LIKE = /[a-z][a-z0-9+.-]*:\/\/|\bwww\.|[^\s@]+@[^\s@]+\.[^\s@]{2,}/iu;
/** Bare domains with a top-level domain that is common in links (a name like "J.R.R. Tolkien" is no domain). */
const BARE_DOMAIN = /(?:^|[\s(<"'])[\p{L}\p{N}-]{2,}(?:\.[\p{L}\p{N}-]+)*\.(?:com|org|net|info|io|co|me|app|xyz|site|online|top|link|ly|gl|to|ru|ir|de|uk|us|fr|biz|click|live|shop)(?:[/:?#]|$|[\s)>"',.;!])/iu;

/** True when a name or title holds a web or email address (a link to lure readers of our pages and mails). */
export function holdsAddress(text: string): boolean {
  return URL_LIKE.test(text) || BARE_DOMAIN.test(text);
}

/** The mailbox key of an address as typed (lookups by address: erasure, removal); lower case when it is refused. */
export function mailboxKeyOf(raw: string): string {
  const c = checkEmail(raw);
  return c.ok ? mailboxKey(c.email) : raw.trim().toLowerCase();
}
