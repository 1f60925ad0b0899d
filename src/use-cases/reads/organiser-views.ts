/** What the organiser pages show, read for the signed-in organiser (changes nothing). */
import type { Letter, LetterState, LetterWithText } from '../../core/model.ts';
import type { Removals } from '../../core/log-ports.ts';
import type { Deps } from '../deps.ts';
import { SIGNATURE_STATES, stateOf, type SignatureState } from '../../core/organisers/signature-filter.ts';
import type { OrganiserRole } from '../../core/organisers/policy.ts';
import { loadOwnLetter } from '../steps/access.ts';
import { refusedAddresses } from './organiser-signatures.ts';

export interface DashboardRow {
  letter: Letter;
  /** Confirmed signatures. */
  count: number;
  /** Possible duplicates waiting for a decision. */
  openReviews: number;
  /** The state the row's button moves the letter to. */
  next: LetterState;
  /** Titles by language, as the letter's versions have them. */
  titles: Record<string, string>;
  /** Signatures per state (held: confirmed and waiting in an open review). */
  states: Record<SignatureState, number>;
  /** The reader's role on the letter. */
  role: OrganiserRole;
  /** Signers whose address a mail server refused for good. */
  undeliverable: number;
}

/** The letters `email` organises, with their counts and open reviews. */
export async function organiserDashboard(deps: Deps, email: string): Promise<DashboardRow[]> {
  const letters = await deps.store.letters.list({ organiser: email });
  return Promise.all(
    letters.map(async (letter) => {
      const [full, open, sigs, moderators] = await Promise.all([
        deps.store.letters.byId(letter.id), deps.store.reviews.list(letter.id, 'open'),
        deps.store.desk.letterSignatures(letter.id), deps.store.desk.moderators(letter.id),
      ]);
      const confirmed = new Set(sigs.filter((x) => x.status === 'confirmed').map((x) => x.id));
      const live = open.filter((r) => confirmed.has(r.signatureId) && confirmed.has(r.otherId));
      const held = new Set(live.map((r) => r.signatureId));
      const states = Object.fromEntries(SIGNATURE_STATES.map((x) => [x, 0])) as Record<SignatureState, number>;
      for (const sig of sigs) states[stateOf(sig, held.has(sig.id))]++;
      return {
        letter,
        count: await deps.store.signatures.countConfirmed(letter.id),
        openReviews: live.length,
        next: letter.state === 'draft' ? 'open' : letter.state === 'open' ? 'closed' : 'open',
        titles: Object.fromEntries((full?.versions ?? []).map((v) => [v.lang, v.title])),
        states,
        role: moderators.includes(email) ? 'moderator' : 'owner',
        undeliverable: (await refusedAddresses(deps.store, sigs)).size,
      } satisfies DashboardRow;
    }),
  );
}

/** A letter to edit, and whether its text is frozen (someone confirmed: an edit makes a new text version). */
export async function letterForOrganiser(deps: Deps, slug: string, email: string): Promise<{ letter: LetterWithText; frozen: boolean }> {
  const letter = await loadOwnLetter(deps.store, slug, email, 'owner');
  return { letter, frozen: (await deps.store.signatures.countConfirmed(letter.id)) > 0 };
}

/** A letter's retention period (undefined: kept while the letter lives) and its public removal numbers. */
export async function retentionOf(deps: Deps, slug: string, email: string): Promise<{ letter: LetterWithText; days: number | undefined; removals: Removals }> {
  const letter = await loadOwnLetter(deps.store, slug, email);
  const days = (await deps.store.log.retentions()).find((r) => r.letterId === letter.id)?.days;
  return { letter, days, removals: await deps.store.log.removals(letter.slug) };
}
