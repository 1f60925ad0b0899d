/** The organisers' audit trail of a letter, for its owners (and the operator): newest first. */
import type { LetterWithText } from '../../core/model.ts';
import type { AuditEntry } from '../../core/organisers/policy.ts';
import type { Deps } from '../deps.ts';
import { loadOwnLetter } from '../steps/access.ts';

export async function auditTrail(deps: Deps, slug: string, actor: string | undefined, limit = 500): Promise<{ letter: LetterWithText; entries: AuditEntry[] }> {
  const letter = await loadOwnLetter(deps.store, slug, actor, 'owner');
  return { letter, entries: await deps.store.desk.audit(letter.id, limit) };
}

/** A letter for a page that needs only the owner's right to see it (the state confirmation). */
export async function letterForOwner(deps: Deps, slug: string, actor: string): Promise<LetterWithText> {
  return loadOwnLetter(deps.store, slug, actor, 'owner');
}
