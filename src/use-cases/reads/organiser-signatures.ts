/**
 * The organisers' table of a letter's signatures: every state and source, filtered as core/organisers/signature-filter
 * says, newest first, with counts per state. Addresses are only for owners (and the operator).
 */
import { DomainError } from '../../core/errors.ts';
import type { LetterWithText, Signature, UndeliverableAddress } from '../../core/model.ts';
import type { OrganiserRole } from '../../core/organisers/policy.ts';
import { SIGNATURE_STATES, signatureFilter, sourceOf, stateOf, type SignatureFilter, type SignatureSource, type SignatureState } from '../../core/organisers/signature-filter.ts';
import type { AddedSignature } from '../../core/organisers/signature-rows.ts';
import type { StoreTx } from '../../core/ports.ts';
import type { Deps } from '../deps.ts';
import { loadOwnLetter, roleOn } from '../steps/access.ts';

export interface OrganiserSignatureRow {
  id: string;
  name: string;
  nameAlt: string | null;
  title: string | null;
  /** An organiser checked the title (vetted); false: self-described. */
  titleChecked: boolean;
  country: string | null;
  state: SignatureState;
  source: SignatureSource;
  /** Who added a paper or imported signature (an organiser's address, or `operator`); null for email. */
  addedBy: string | null;
  lang: string;
  createdAt: string;
  confirmedAt: string | null;
  /** Only for owners who asked for addresses; never for imported signatories (they have none). */
  email?: string | undefined;
  /** A mail server refused this signer's address for good (an SMTP 5xx): our mail does not reach them. */
  mailUndeliverable: boolean;
  /** Owners only: the server's answer and when (null when the address was not refused). Moderators see the boolean. */
  mailRefusedReason?: string | null | undefined;
  mailRefusedAt?: string | null | undefined;
}

/** The signatures among `all` whose address a mail server refused for good, by signature id (imported have none). */
export async function refusedAddresses(tx: StoreTx, all: readonly Signature[]): Promise<Map<string, UndeliverableAddress>> {
  const withMail = all.filter((s) => !s.imported && s.email);
  const found = await tx.outbox.undeliverable(withMail.map((s) => s.email));
  if (!found.length) return new Map();
  const byEmail = new Map(found.map((u) => [u.email.toLowerCase(), u]));
  const out = new Map<string, UndeliverableAddress>();
  for (const s of withMail) {
    const u = byEmail.get(s.email.toLowerCase());
    if (u) out.set(s.id, u);
  }
  return out;
}

export interface SignatureSelection {
  letter: LetterWithText;
  /** The actor's role; 'owner' for the operator. */
  role: OrganiserRole;
  /** Every matching signature, newest first. */
  matching: Signature[];
  held: Set<string>;
  /** Signatures whose title an organiser checked. */
  checked: Set<string>;
  /** How organisers added signatures (paper, imported), by id. */
  sources: Map<string, AddedSignature>;
  counts: Record<SignatureState, number>;
  /** Signatures whose address a mail server refused for good, by id. */
  refused: Map<string, UndeliverableAddress>;
}

/** Loads the letter for the actor and every signature the filter selects. */
export async function selectSignatures(tx: StoreTx, slug: string, actor: string | undefined, filter: SignatureFilter): Promise<SignatureSelection> {
  const letter = await loadOwnLetter(tx, slug, actor);
  const role = actor === undefined ? 'owner' : (await roleOn(tx, letter, actor))!;
  const [all, open, checkedIds, sources] = await Promise.all([tx.desk.letterSignatures(letter.id), tx.reviews.list(letter.id, 'open'), tx.desk.checkedTitles(letter.id), tx.desk.signatureSources(letter.id)]);
  const checked = new Set(checkedIds);
  const confirmed = new Set(all.filter((x) => x.status === 'confirmed').map((x) => x.id));
  const held = new Set(open.filter((r) => confirmed.has(r.signatureId) && confirmed.has(r.otherId)).map((r) => r.signatureId));
  const counts = Object.fromEntries(SIGNATURE_STATES.map((s) => [s, 0])) as Record<SignatureState, number>;
  for (const s of all) counts[stateOf(s, held.has(s.id))]++;
  const refused = await refusedAddresses(tx, all);
  const pass = signatureFilter(filter);
  const matching = all.filter((s) => pass(s, held.has(s.id), sourceOf(s, sources.get(s.id)?.source), refused.has(s.id))).reverse();
  return { letter, role, matching, held, checked, sources, counts, refused };
}

/** What a row says of refused mail: the boolean for everyone, the server's answer and its time for owners only. */
export interface MailView {
  refused: Map<string, UndeliverableAddress>;
  owner: boolean;
}

export function toRow(s: Signature, held: Set<string>, withEmail: boolean, checked: Set<string> = new Set(), sources: Map<string, AddedSignature> = new Map(), mail?: MailView): OrganiserSignatureRow {
  const added = sources.get(s.id);
  const refused = mail?.refused.get(s.id);
  return {
    id: s.id, name: s.name, nameAlt: s.nameAlt ?? null, title: s.title ?? null, titleChecked: !!s.title && checked.has(s.id), country: s.country ?? null,
    state: stateOf(s, held.has(s.id)), source: sourceOf(s, added?.source), addedBy: added?.addedBy ?? null, lang: s.lang,
    createdAt: s.createdAt, confirmedAt: s.confirmedAt ?? null,
    ...(withEmail ? { email: s.imported ? '' : s.email } : {}),
    mailUndeliverable: !!refused,
    ...(mail?.owner ? { mailRefusedReason: refused?.reason ?? null, mailRefusedAt: refused?.failedAt ?? null } : {}),
  };
}

export function checkEmailsAllowed(role: OrganiserRole, emails: boolean): void {
  if (emails && role !== 'owner') throw new DomainError('NOT_AUTHORISED', 'Only an owner of this letter may see signers\u2019 addresses');
}

export const PER_PAGE = 50;

/** One page of the table (no addresses: the page view; exports go through export-signatures.ts). */
export async function signaturesPage(deps: Deps, slug: string, actor: string | undefined, filter: SignatureFilter, page = 1, perPage = PER_PAGE) {
  const sel = await selectSignatures(deps.store, slug, actor, filter);
  const pages = Math.max(1, Math.ceil(sel.matching.length / perPage));
  const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const mail = { refused: sel.refused, owner: sel.role === 'owner' };
  const rows = sel.matching.slice((p - 1) * perPage, p * perPage).map((s) => toRow(s, sel.held, false, sel.checked, sel.sources, mail));
  return { letter: sel.letter, role: sel.role, rows, total: sel.matching.length, page: p, pages, counts: sel.counts, undeliverable: sel.refused.size };
}
