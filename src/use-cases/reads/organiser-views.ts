/** What the organiser pages show, read for the signed-in organiser (changes nothing). */
import type { Letter, LetterState, LetterWithText } from '../../core/model.ts';
import type { Removals } from '../../core/log-ports.ts';
import type { Deps } from '../deps.ts';
import { loadOwnLetter } from '../steps/access.ts';

export interface DashboardRow {
  letter: Letter;
  /** Confirmed signatures. */
  count: number;
  /** Possible duplicates waiting for a decision. */
  openReviews: number;
  /** The state the row's button moves the letter to. */
  next: LetterState;
}

/** The letters `email` organises, with their counts and open reviews. */
export async function organiserDashboard(deps: Deps, email: string): Promise<DashboardRow[]> {
  const letters = await deps.store.letters.list({ organiser: email });
  return Promise.all(
    letters.map(async (letter) => ({
      letter,
      count: await deps.store.signatures.countConfirmed(letter.id),
      openReviews: (await deps.store.reviews.list(letter.id, 'open')).length,
      next: letter.state === 'draft' ? 'open' : letter.state === 'open' ? 'closed' : 'open',
    })),
  );
}

/** A letter to edit, and whether its text is frozen (someone confirmed: an edit makes a new text version). */
export async function letterForOrganiser(deps: Deps, slug: string, email: string): Promise<{ letter: LetterWithText; frozen: boolean }> {
  const letter = await loadOwnLetter(deps.store, slug, email);
  return { letter, frozen: (await deps.store.signatures.countConfirmed(letter.id)) > 0 };
}

/** A letter's retention period (undefined: kept while the letter lives) and its public removal numbers. */
export async function retentionOf(deps: Deps, slug: string, email: string): Promise<{ letter: LetterWithText; days: number | undefined; removals: Removals }> {
  const letter = await loadOwnLetter(deps.store, slug, email);
  const days = (await deps.store.log.retentions()).find((r) => r.letterId === letter.id)?.days;
  return { letter, days, removals: await deps.store.log.removals(letter.slug) };
}
