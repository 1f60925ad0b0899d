/**
 * Who may act on a letter: its organisers (owners manage the letter and its organisers; moderators review and
 * remove signatures), and the local operator (the CLI), who may do everything.
 */
import { DomainError } from '../../core/errors.ts';
import type { LetterWithText } from '../../core/model.ts';
import type { StoreTx } from '../../core/ports.ts';
import type { OrganiserRole } from '../../core/organisers/policy.ts';

/** The role of an address on a letter, or undefined when it does not organise it. */
export async function roleOn(tx: StoreTx, letter: LetterWithText, email: string): Promise<OrganiserRole | undefined> {
  if (!letter.organisers.includes(email)) return undefined;
  return (await tx.desk.moderators(letter.id)).includes(email) ? 'moderator' : 'owner';
}

/**
 * Loads a letter the actor organises with at least the role `need` (an owner may do what a moderator may);
 * `actor` undefined means the local CLI, which acts as the operator.
 */
export async function loadOwnLetter(tx: StoreTx, slug: string, actor: string | undefined, need: OrganiserRole = 'moderator'): Promise<LetterWithText> {
  const letter = await tx.letters.bySlug(slug);
  if (!letter) throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
  if (actor === undefined) return letter;
  const role = await roleOn(tx, letter, actor);
  if (!role) throw new DomainError('NOT_AUTHORISED', 'You do not organise this letter');
  if (need === 'owner' && role !== 'owner') throw new DomainError('NOT_AUTHORISED', 'Only an owner of this letter may do this; you moderate it');
  return letter;
}
