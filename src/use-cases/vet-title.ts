/**
 * Vetted titles: a signer's title or affiliation is self-described until an organiser (owner or moderator) marks it
 * checked. The mark touches the signature's row (a conditional update), so the public list picks it up as any change.
 */
import { DomainError } from '../core/errors.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { recordAudit } from './steps/audit.ts';

/** True when the mark changed; false for a repeat. */
export async function setTitleChecked(deps: Deps, slug: string, signatureId: string, checked: boolean, actor: string | undefined): Promise<boolean> {
  const result = await retryRaced(() => deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor);
    const sig = await tx.signatures.byId(signatureId);
    if (!sig || sig.letterId !== letter.id) throw new DomainError('SIGNATURE_NOT_FOUND', 'No such signature on this letter');
    if (!sig.title) throw new DomainError('VALIDATION_FAILED', 'This signature has no title to check', [{ field: 'title', code: 'REQUIRED' }]);
    const now = iso(deps.clock.now());
    const isChecked = (await tx.desk.checkedTitles(letter.id)).includes(sig.id);
    if (isChecked === checked) return { changed: false, letterId: letter.id };
    const stamp = now > sig.updatedAt ? now : new Date(Date.parse(sig.updatedAt) + 1).toISOString();
    if (!(await tx.signatures.updateIfUnchanged({ ...sig, updatedAt: stamp }, sig))) throw new Raced();
    await tx.desk.setTitleChecked(letter.id, sig.id, checked, now, actor ?? 'operator');
    await recordAudit(tx, deps, letter.id, actor, 'vet', { signature: sig.id, checked });
    return { changed: true, letterId: letter.id };
  }));
  if (result.changed) deps.signals.letterChanged(result.letterId);
  return result.changed;
}
