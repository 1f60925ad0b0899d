/**
 * A letter's display options, set by its owners: the "notable signatories" section (signatories whose title an
 * organiser checked, shown first on the letter page; unchecked titles are never featured). In the audit trail.
 */
import { iso, type Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { recordAudit } from './steps/audit.ts';

/** True when the option changed; false for a repeat. One conditional statement decides between concurrent calls. */
export async function setShowNotable(deps: Deps, slug: string, actor: string | undefined, on: boolean): Promise<boolean> {
  const r = await deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor, 'owner');
    const changed = await tx.desk.setShowNotable(letter.id, on);
    if (changed) await recordAudit(tx, deps, letter.id, actor, 'notable', { on, at: iso(deps.clock.now()) });
    return { changed, letterId: letter.id };
  });
  if (r.changed) deps.signals.letterChanged(r.letterId);
  return r.changed;
}
