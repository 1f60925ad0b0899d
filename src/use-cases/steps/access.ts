/** Who may act on a letter: its organisers, and the local operator (the CLI). */
import { DomainError } from '../../core/errors.ts';
import type { LetterWithText } from '../../core/model.ts';
import type { StoreTx } from '../../core/ports.ts';

/** Loads a letter the actor organises; `actor` undefined means the local CLI, which acts as the operator. */
export async function loadOwnLetter(tx: StoreTx, slug: string, actor: string | undefined): Promise<LetterWithText> {
  const letter = await tx.letters.bySlug(slug);
  if (!letter) throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
  if (actor !== undefined && !letter.organisers.includes(actor)) throw new DomainError('NOT_AUTHORISED', 'You do not organise this letter');
  return letter;
}
