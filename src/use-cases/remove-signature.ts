/**
 * An organiser removes a confirmed signature with a public reason (signer: the signer asked us; duplicate; fraud;
 * legal). The signature stops counting and a `remove` entry with the reason goes into the log, so the letter page
 * and any auditor see how many were removed and why — never silently.
 */
import { DomainError } from '../core/errors.ts';
import { REMOVAL_REASONS, type RemovalReason } from '../core/log/index.ts';
import type { Signature } from '../core/model.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { logCancel } from './steps/log-entries.ts';
import { recordAudit } from './steps/audit.ts';

export function isRemovalReason(r: unknown): r is RemovalReason {
  return typeof r === 'string' && (REMOVAL_REASONS as readonly string[]).includes(r);
}

export async function removeSignature(deps: Deps, slug: string, signatureId: string, reason: string, actor: string | undefined): Promise<Signature> {
  if (!isRemovalReason(reason)) throw new DomainError('VALIDATION_FAILED', 'Choose a reason: signer, duplicate, fraud or legal', [{ field: 'reason', code: 'INVALID_CHOICE' }]);
  const now = iso(deps.clock.now());
  const removed = await retryRaced(() => deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor);
    const sig = await tx.signatures.byId(signatureId);
    if (!sig || sig.letterId !== letter.id) throw new DomainError('SIGNATURE_NOT_FOUND', 'No such signature on this letter');
    if (sig.status !== 'confirmed') throw new DomainError('SIGNATURE_NOT_CONFIRMED', 'Only a confirmed signature can be removed');
    // The signer's own wish keeps the status "withdrawn"; the other reasons invalidate.
    const removed: Signature = { ...sig, status: reason === 'signer' ? 'withdrawn' : 'invalidated', withdrawnAt: now, updatedAt: now };
    // Conditional: the loser of two removals (or a removal and a withdrawal) at once runs again and answers
    // SIGNATURE_NOT_CONFIRMED, with no second entry.
    if (!(await tx.signatures.updateIfUnchanged(removed, sig))) throw new Raced();
    await logCancel(tx, deps, letter, sig.id, 'remove', reason);
    await recordAudit(tx, deps, letter.id, actor, 'remove', { count: 1, reason });
    return removed;
  }));
  deps.signals.letterChanged(removed.letterId);
  deps.signals.logQueued();
  return removed;
}
