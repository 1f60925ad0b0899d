/**
 * Bulk removal: organisers select confirmed signatures by filter and/or ids, see how many and a sample (dryRun), then
 * remove them with one public reason. Each removed signature is its own conditional update and its own `remove` entry
 * with the reason in the transparency log (as a single removal is); the audit trail keeps one entry for the batch.
 */
import { DomainError } from '../core/errors.ts';
import { REMOVAL_REASONS, type RemovalReason } from '../core/log/index.ts';
import type { Signature } from '../core/model.ts';
import type { SignatureFilter } from '../core/organisers/signature-filter.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { selectSignatures, toRow, type OrganiserSignatureRow } from './reads/organiser-signatures.ts';
import { loadOwnLetter } from './steps/access.ts';
import { filterDetail, recordAudit } from './steps/audit.ts';
import { logCancel } from './steps/log-entries.ts';

export const MAX_IDS = 10_000;
export const SAMPLE = 10;

export interface RemovalRequest {
  filter: SignatureFilter;
  /** Limits the selection to these ids (still only those the filter selects). */
  ids?: string[] | undefined;
  reason: string;
  dryRun: boolean;
}

export interface RemovalResult {
  dryRun: boolean;
  /** How many would be removed (dryRun) or were removed. */
  count: number;
  sample: OrganiserSignatureRow[];
  /** Selected but no longer confirmed when their turn came (withdrawn or removed meanwhile). */
  skipped: number;
}

function checkReason(r: unknown): RemovalReason {
  if (typeof r !== 'string' || !(REMOVAL_REASONS as readonly string[]).includes(r)) {
    throw new DomainError('VALIDATION_FAILED', 'Choose a reason: signer, duplicate, fraud or legal', [{ field: 'reason', code: 'INVALID_CHOICE' }]);
  }
  return r as RemovalReason;
}

/** Confirmed signatures the request selects, newest first. */
async function selection(deps: Deps, slug: string, actor: string | undefined, req: RemovalRequest) {
  if (req.ids && req.ids.length > MAX_IDS) throw new DomainError('VALIDATION_FAILED', `At most ${MAX_IDS} ids at once`, [{ field: 'ids', code: 'TOO_LONG', limit: MAX_IDS }]);
  const sel = await selectSignatures(deps.store, slug, actor, req.filter);
  const ids = req.ids ? new Set(req.ids) : undefined;
  const chosen = sel.matching.filter((s) => s.status === 'confirmed' && (!ids || ids.has(s.id)));
  return { ...sel, chosen };
}

export async function removeSignatures(deps: Deps, slug: string, actor: string | undefined, req: RemovalRequest): Promise<RemovalResult> {
  const reason = checkReason(req.reason);
  const { letter, chosen, held, checked, sources, refused } = await selection(deps, slug, actor, req);
  const sample = chosen.slice(0, SAMPLE).map((s) => toRow(s, held, false, checked, sources, { refused, owner: false }));
  if (req.dryRun) return { dryRun: true, count: chosen.length, sample, skipped: 0 };
  let removed = 0;
  let skipped = 0;
  for (const pick of chosen) {
    const done = await retryRaced(() => deps.store.transaction(async (tx) => {
      const own = await loadOwnLetter(tx, slug, actor); // roles are checked again: one may be removed meanwhile
      const sig = await tx.signatures.byId(pick.id);
      if (!sig || sig.letterId !== own.id || sig.status !== 'confirmed') return false;
      const now = iso(deps.clock.now());
      const next: Signature = { ...sig, status: reason === 'signer' ? 'withdrawn' : 'invalidated', withdrawnAt: now, updatedAt: now };
      if (!(await tx.signatures.updateIfUnchanged(next, sig))) throw new Raced();
      await logCancel(tx, deps, own, sig.id, 'remove', reason);
      return true;
    }));
    if (done) removed++;
    else skipped++;
  }
  if (removed) {
    await deps.store.transaction((tx) => recordAudit(tx, deps, letter.id, actor, 'remove', { count: removed, skipped, reason, bulk: true, ...filterDetail(req.filter) }));
    deps.signals.letterChanged(letter.id);
    deps.signals.logQueued();
  }
  return { dryRun: false, count: removed, sample, skipped };
}
