/**
 * An organiser decides a possible duplicate: merge (one person: the newer signature stops counting, and its name
 * is kept as the other's name in a second script when that is empty) or dismiss (two people).
 */
import { DomainError } from '../core/errors.ts';
import type { DuplicateReview, Signature } from '../core/model.ts';
import { scriptOf } from '../core/names/index.ts';
import { matchReason, type MatchReason } from '../core/organisers/why.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { logCancel } from './steps/log-entries.ts';
import { recordAudit } from './steps/audit.ts';

export interface ReviewView {
  review: DuplicateReview;
  signature: Signature;
  other: Signature;
  /** Which words matched and which names decided (listReviews only). */
  why?: MatchReason | undefined;
}

export async function listReviews(deps: Deps, slug: string, actor: string | undefined, status: DuplicateReview['status'] = 'open'): Promise<ReviewView[]> {
  const letter = await loadOwnLetter(deps.store, slug, actor);
  const reviews = await deps.store.reviews.list(letter.id, status);
  const out: ReviewView[] = [];
  for (const review of reviews) {
    const [signature, other] = await Promise.all([deps.store.signatures.byId(review.signatureId), deps.store.signatures.byId(review.otherId)]);
    // A pair whose side was removed, withdrawn, merged or erased leaves the queue by itself.
    if (signature && other && signature.status === 'confirmed' && other.status === 'confirmed') out.push({ review, signature, other, why: matchReason(signature, other) });
  }
  return out;
}

export async function decideReview(deps: Deps, slug: string, reviewId: string, decision: 'merge' | 'dismiss', actor: string | undefined): Promise<ReviewView> {
  const now = iso(deps.clock.now());
  const view = await retryRaced(() => deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor);
    const review = await tx.reviews.byId(reviewId);
    if (!review || review.letterId !== letter.id) throw new DomainError('REVIEW_NOT_FOUND', 'No such review');
    if (review.status !== 'open') throw new DomainError('VALIDATION_FAILED', 'This review was already decided', [{ field: 'decision', code: 'INVALID_CHOICE' }]);
    const [sig, other] = await Promise.all([tx.signatures.byId(review.signatureId), tx.signatures.byId(review.otherId)]);
    if (!sig || !other || sig.status !== 'confirmed' || other.status !== 'confirmed') {
      throw new DomainError('REVIEW_NOT_FOUND', 'This pair left the review queue: one of its signatures was removed, withdrawn or erased');
    }
    const decided: DuplicateReview = { ...review, status: decision === 'merge' ? 'merged' : 'dismissed', decidedAt: now, decidedBy: actor ?? 'operator' };
    await tx.reviews.update(decided);
    await recordAudit(tx, deps, letter.id, actor, decision, { review: review.id });
    if (decision === 'dismiss') return { review: decided, signature: sig, other };
    if (sig.status !== 'confirmed') throw new DomainError('SIGNATURE_NOT_CONFIRMED', 'The newer signature is no longer confirmed');
    const invalidated: Signature = { ...sig, status: 'invalidated', updatedAt: now };
    // Conditional (both rows): the loser of two merges at once runs again and answers as a repeat does (this
    // review was already decided), with no second entry; a withdrawal of `other` meanwhile is never written over.
    if (!(await tx.signatures.updateIfUnchanged(invalidated, sig))) throw new Raced();
    // Public record: the log shows that a signature was removed as a duplicate.
    await logCancel(tx, deps, letter, sig.id, 'remove', 'duplicate');
    let kept = other;
    if (!other.nameAlt && scriptOf(sig.name) !== scriptOf(other.name)) {
      kept = { ...other, nameAlt: sig.name, updatedAt: now };
      if (!(await tx.signatures.updateIfUnchanged(kept, other))) throw new Raced();
    }
    return { review: decided, signature: invalidated, other: kept };
  }));
  deps.signals.letterChanged(view.review.letterId);
  if (decision === 'merge') deps.signals.logQueued();
  return view;
}
