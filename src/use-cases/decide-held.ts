/**
 * Held signatures (issue 15 items 7–8): an organiser releases them (from then on counted, listed and in the public
 * log: the log entry is written by the release) or removes them with a reason (never counted; the audit trail keeps
 * the reason, and the log has nothing to cancel). One at a time, by ids, or a whole source (a hashed address prefix
 * or an email domain), with a preview (dryRun) first. Each signature is its own conditional update: of 20 releases
 * at once exactly one writes the entry, the others find it released and skip it.
 */
import { DomainError } from '../core/errors.ts';
import { REMOVAL_REASONS, type RemovalReason } from '../core/log/index.ts';
import type { Signature } from '../core/model.ts';
import { emailDomain } from '../core/signatures/hold.ts';
import { nextStatus } from '../core/signatures/signature.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { selectSignatures, toRow, type OrganiserSignatureRow } from './reads/organiser-signatures.ts';
import { loadOwnLetter } from './steps/access.ts';
import { recordAudit } from './steps/audit.ts';
import { flagDuplicates } from './steps/flag-duplicates.ts';
import { logSignature } from './steps/log-entries.ts';

export const MAX_HELD_IDS = 10_000;
const SAMPLE = 10;

export interface HeldRequest {
  decision: 'release' | 'remove';
  /** These held signatures (still only held ones of this letter). */
  ids?: string[] | undefined;
  /** Every held signature from this hashed address prefix. */
  source?: string | undefined;
  /** Every held signature at this email domain. */
  domain?: string | undefined;
  /** Every held signature from this country ('' for none given). */
  country?: string | undefined;
  /** For a removal: signer, duplicate, fraud or legal. */
  reason?: string | undefined;
  dryRun: boolean;
}

export interface HeldResult {
  dryRun: boolean;
  decision: 'release' | 'remove';
  /** How many would be (dryRun) or were released or removed. */
  count: number;
  sample: OrganiserSignatureRow[];
  /** Selected but no longer held when their turn came (released, removed or withdrawn meanwhile). */
  skipped: number;
}

function checkRequest(req: HeldRequest): RemovalReason | undefined {
  if (req.decision !== 'release' && req.decision !== 'remove') throw new DomainError('VALIDATION_FAILED', 'Choose release or remove', [{ field: 'decision', code: 'INVALID_CHOICE' }]);
  if (req.ids && (!Array.isArray(req.ids) || req.ids.length > MAX_HELD_IDS || req.ids.some((x) => typeof x !== 'string'))) {
    throw new DomainError('VALIDATION_FAILED', `At most ${MAX_HELD_IDS} ids at once`, [{ field: 'ids', code: 'TOO_LONG', limit: MAX_HELD_IDS }]);
  }
  for (const k of ['source', 'domain', 'country'] as const) {
    const v = req[k];
    if (v !== undefined && (typeof v !== 'string' || v.length > 255)) throw new DomainError('VALIDATION_FAILED', `Bad ${k}`, [{ field: k, code: 'INVALID_TYPE' }]);
  }
  if (!req.ids && req.source === undefined && req.domain === undefined && req.country === undefined) {
    throw new DomainError('VALIDATION_FAILED', 'Name the signatures: ids, a source or a domain', [{ field: 'ids', code: 'REQUIRED' }]);
  }
  if (req.decision === 'release') return undefined;
  if (typeof req.reason !== 'string' || !(REMOVAL_REASONS as readonly string[]).includes(req.reason)) {
    throw new DomainError('VALIDATION_FAILED', 'Choose a reason: signer, duplicate, fraud or legal', [{ field: 'reason', code: 'INVALID_CHOICE' }]);
  }
  return req.reason as RemovalReason;
}

/** Whether a held signature is one the request names. */
function named(req: HeldRequest): (s: Signature) => boolean {
  const ids = req.ids ? new Set(req.ids) : undefined;
  const domain = req.domain?.toLowerCase();
  return (s) => s.status === 'held'
    && (!ids || ids.has(s.id))
    && (req.source === undefined || s.source === req.source)
    && (domain === undefined || emailDomain(s.emailKey) === domain)
    && (req.country === undefined || (s.country ?? '') === req.country);
}

export async function decideHeld(deps: Deps, slug: string, actor: string | undefined, req: HeldRequest): Promise<HeldResult> {
  const reason = checkRequest(req);
  const sel = await selectSignatures(deps.store, slug, actor, {});
  const chosen = sel.matching.filter(named(req));
  const sample = chosen.slice(0, SAMPLE).map((s) => toRow(s, sel.held, false, sel.checked, undefined, { refused: sel.refused, owner: false }));
  if (req.dryRun) return { dryRun: true, decision: req.decision, count: chosen.length, sample, skipped: 0 };
  let done = 0;
  let skipped = 0;
  for (const pick of chosen) {
    const changed = await retryRaced(() => deps.store.transaction(async (tx) => {
      const letter = await loadOwnLetter(tx, slug, actor); // roles are checked again: one may be removed meanwhile
      const sig = await tx.signatures.byId(pick.id);
      if (!sig || sig.letterId !== letter.id || sig.status !== 'held') return false;
      const now = iso(deps.clock.now());
      const status = nextStatus(sig, req.decision)!;
      const next: Signature = req.decision === 'release' ? { ...sig, status, confirmedAt: now, updatedAt: now } : { ...sig, status, withdrawnAt: now, updatedAt: now };
      // Released: counted from now (its log entry's time and the hour it counts in are the release's).
      // Conditional: of two decisions at once only one changes the row; the other runs again and skips it.
      if (!(await tx.signatures.updateIfUnchanged(next, sig))) throw new Raced();
      if (status === 'confirmed') {
        // What confirming does for a signing that was not held, now: duplicate check and the public log entry.
        await flagDuplicates(tx, deps, next);
        await logSignature(tx, deps, letter, next);
      }
      return true;
    }));
    if (changed) done++;
    else skipped++;
  }
  if (done) {
    await deps.store.transaction((tx) => recordAudit(tx, deps, sel.letter.id, actor, req.decision === 'release' ? 'release' : 'remove-held', {
      count: done, skipped, ...(reason ? { reason } : {}), ...(req.source !== undefined ? { source: req.source } : {}), ...(req.domain !== undefined ? { domain: req.domain } : {}), ...(req.country !== undefined ? { country: req.country } : {}),
      ...(req.ids ? { ids: req.ids.length } : {}),
    }));
    deps.signals.letterChanged(sel.letter.id);
    if (req.decision === 'release') deps.signals.logQueued();
  }
  return { dryRun: false, decision: req.decision, count: done, sample, skipped };
}
