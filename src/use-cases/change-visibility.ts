/**
 * A signer shows or hides their name on the public list from their "manage my signature" page (manage token only).
 * The count does not change and the log needs no entry: its `sig` entry commits to the name whatever the visibility,
 * and the list and the auditors' openings export both follow the row (docs/transparency-log.md §7.3): a name made
 * public is published with its opening, a name hidden leaves both. Copies made while it was public stay elsewhere.
 */
import { DomainError } from '../core/errors.ts';
import type { LetterWithText, Signature, Visibility } from '../core/model.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { signerByToken } from './steps/tokens.ts';

export async function changeVisibility(deps: Deps, token: unknown, visibility: unknown): Promise<{ letter: LetterWithText; signature: Signature; changed: boolean }> {
  if (visibility !== 'public' && visibility !== 'hidden') throw new DomainError('VALIDATION_FAILED', 'Visibility is public or hidden', [{ field: 'visibility', code: 'INVALID_CHOICE' }]);
  const v: Visibility = visibility;
  const result = await retryRaced(() => deps.store.transaction(async (tx) => {
    const { letter, signature: sig } = await signerByToken(tx, deps, token, 'manage');
    if (sig.status === 'withdrawn' || sig.status === 'invalidated') throw new DomainError('SIGNATURE_WITHDRAWN', 'This signature was withdrawn or removed; it is on no list');
    if (sig.visibility === v) return { letter, signature: sig, changed: false };
    // Strictly later than the row as read: the conditional update compares the status, the mail count and this time,
    // so two changes within one millisecond (or under a fixed clock) must not both find the row "as read".
    const updatedAt = iso(new Date(Math.max(deps.clock.now().getTime(), Date.parse(sig.updatedAt) + 1)));
    const next: Signature = { ...sig, visibility: v, updatedAt };
    // Conditional: of 20 changes at once one applies to the row as read; a loser reads again and answers as a repeat.
    if (!(await tx.signatures.updateIfUnchanged(next, sig))) throw new Raced();
    return { letter, signature: next, changed: true };
  }));
  if (result.changed) deps.signals.letterChanged(result.letter.id);
  return result;
}
