/**
 * The organisers' view of where a letter's signings come from (issue 15 item 8): signings per hour over the last
 * day by source — the hashed address prefix, the email domain, the country — with how many of each are held, and
 * the held signatures themselves with why. Only for the letter's organisers; never an address or a whole email.
 * Each held signer's email domain is for the letter's owners only: a moderator sees the held signatures and the
 * aggregates by source (how many of a domain), never which signer's address is at which domain.
 */
import type { LetterWithText, Signature } from '../../core/model.ts';
import { emailDomain, parseHold, type HoldReason } from '../../core/signatures/hold.ts';
import type { Deps } from '../deps.ts';
import { selectSignatures, toRow, type OrganiserSignatureRow } from './organiser-signatures.ts';

export const SOURCE_KINDS = ['prefix', 'domain', 'country'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface SourceRow {
  kind: SourceKind;
  /** The hashed prefix, the domain or the country code ('' when none was given). */
  value: string;
  lastHour: number;
  lastDay: number;
  /** Signings in each of the last 24 hours, oldest first. */
  perHour: number[];
  /** Held signatures (status 'held') of this source, any age. */
  held: number;
  /** Pending signatures that will be held once confirmed. */
  heldPending: number;
}

export interface HeldView {
  letter: LetterWithText;
  sources: SourceRow[];
  /** `domain` is null for a moderator (owners only). */
  held: (OrganiserSignatureRow & { reasons: HoldReason[]; sourceKey: string | null; domain: string | null })[];
  heldTotal: number;
  /** Whether the viewer owns the letter (and so sees each held signer's domain). */
  owner: boolean;
}

/** What a signature's source is, per kind. */
export function sourceValue(s: Signature, kind: SourceKind): string | undefined {
  if (kind === 'prefix') return s.source;
  if (kind === 'domain') return s.imported ? undefined : emailDomain(s.emailKey);
  return s.country ?? '';
}

const HOUR = 3600_000;
const MAX_SOURCES = 20;
const MAX_HELD_LISTED = 200;

export async function heldView(deps: Deps, slug: string, actor: string | undefined): Promise<HeldView> {
  const sel = await selectSignatures(deps.store, slug, actor, {});
  const now = deps.clock.now().getTime();
  const rows = new Map<string, SourceRow>();
  for (const s of sel.matching) {
    if (s.imported) continue;
    const age = now - Date.parse(s.createdAt);
    const recent = age >= 0 && age < 24 * HOUR;
    const isHeld = s.status === 'held';
    const willHold = s.status === 'pending' && !!s.hold;
    if (!recent && !isHeld && !willHold) continue;
    for (const kind of SOURCE_KINDS) {
      const value = sourceValue(s, kind);
      if (value === undefined) continue;
      const key = `${kind}\u0000${value}`;
      let r = rows.get(key);
      if (!r) rows.set(key, (r = { kind, value, lastHour: 0, lastDay: 0, perHour: Array<number>(24).fill(0), held: 0, heldPending: 0 }));
      if (recent) {
        r.lastDay++;
        if (age < HOUR) r.lastHour++;
        r.perHour[23 - Math.floor(age / HOUR)]!++;
      }
      if (isHeld) r.held++;
      if (willHold) r.heldPending++;
    }
  }
  const sources: SourceRow[] = [];
  for (const kind of SOURCE_KINDS) {
    const mine = [...rows.values()].filter((r) => r.kind === kind).sort((a, b) => b.held - a.held || b.lastDay - a.lastDay || (a.value < b.value ? -1 : 1));
    sources.push(...mine.slice(0, MAX_SOURCES));
  }
  const heldSigs = sel.matching.filter((s) => s.status === 'held');
  const owner = sel.role === 'owner';
  const held = heldSigs.slice(0, MAX_HELD_LISTED).map((s) => ({ ...toRow(s, sel.held, false, sel.checked, undefined, { refused: sel.refused, owner }), reasons: parseHold(s.hold), sourceKey: s.source ?? null, domain: owner ? emailDomain(s.emailKey) : null }));
  return { letter: sel.letter, sources, held, heldTotal: heldSigs.length, owner };
}
