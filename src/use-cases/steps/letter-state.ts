/** A letter's state change (publish, close, reopen), shared by the operations that make one. */
import { transition } from '../../core/letters/letter.ts';
import type { LetterState, LetterWithText } from '../../core/model.ts';
import { iso, Raced, retryRaced, type Deps } from '../deps.ts';
import { loadOwnLetter } from './access.ts';
import { recordAudit } from './audit.ts';
import { forgetLetter } from './letter-snapshot.ts';
import { logPublish } from './log-entries.ts';

export async function changeLetterState(deps: Deps, slug: string, to: LetterState, actor: string | undefined): Promise<LetterWithText> {
  const now = iso(deps.clock.now());
  const changed = await retryRaced(() => deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor, 'owner');
    const next = transition(letter, to, now);
    // Conditional: of two publishings at once only one queues the letter's entries; the other runs again and
    // answers as a repeat does.
    if (!(await tx.letters.updateIfUnchanged(next, letter))) throw new Raced();
    if (to === 'open') await logPublish(tx, deps, { ...next, versions: letter.versions });
    await recordAudit(tx, deps, letter.id, actor, to === 'closed' ? 'close' : letter.state === 'closed' ? 'reopen' : 'publish');
    return { ...next, versions: letter.versions };
  })).finally(() => forgetLetter(deps.store, slug));
  deps.signals.letterChanged(changed.id);
  if (to === 'open') deps.signals.logQueued();
  return changed;
}
