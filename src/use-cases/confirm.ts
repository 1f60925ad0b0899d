import { DomainError } from '../core/errors.ts';
import type { LetterWithText, Signature } from '../core/model.ts';
import { checkConfirmable, decideSign, nextStatus } from '../core/signatures/signature.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { issueConfirmation } from './steps/mail.ts';
import { keyForScoring, scoreConfirmation } from './steps/flag-duplicates.ts';
import { logSignature } from './steps/log-entries.ts';
import { issueSignerToken } from './steps/tokens.ts';

export interface Confirmed {
  letter: LetterWithText;
  signature: Signature;
  /** Link token of the signer's private receipt page (only from confirm()). */
  receiptToken?: string;
}

/** Looks a token up without changing anything (the GET page shows what a POST would confirm). */
export async function inspectToken(deps: Deps, token: string): Promise<Confirmed> {
  const sig = await deps.store.signatures.byTokenHash(deps.secrets.hashToken(token));
  if (!sig) throw new DomainError('TOKEN_INVALID', 'This confirmation link is not valid');
  const letter = await deps.store.letters.byId(sig.letterId);
  if (!letter) throw new DomainError('TOKEN_INVALID', 'This confirmation link is not valid');
  return { letter, signature: sig };
}

/** Confirms a signature. The signature records the text version of the letter at this moment. */
export async function confirm(deps: Deps, token: string): Promise<Confirmed> {
  if (typeof token !== 'string' || token.length < 16 || token.length > 200) throw new DomainError('TOKEN_INVALID', 'This confirmation link is not valid');
  const now = deps.clock.now();
  const result = await retryRaced(() => deps.store.transaction(async (tx) => {
    const found = await tx.signatures.byTokenHash(deps.secrets.hashToken(token));
    const sig = checkConfirmable(found, now);
    const letter = await tx.letters.byId(sig.letterId);
    if (!letter) throw new DomainError('TOKEN_INVALID', 'This confirmation link is not valid');
    if (letter.state === 'closed') throw new DomainError('LETTER_CLOSED', 'This letter closed before the signature was confirmed');
    // A held signing confirms into 'held': not counted, listed or logged until an organiser releases it.
    const status = nextStatus(sig, 'confirm')!;
    const confirmed: Signature = { ...sig, status, confirmedAt: iso(now), updatedAt: iso(now), textVersion: letter.textVersion, mailsSent: 0 };
    // Conditional: of two confirmations at once only one changes the row; the other runs again and answers
    // SIGNATURE_ALREADY_CONFIRMED, with no second log entry, count delta or receipt token.
    if (!(await tx.signatures.updateIfUnchanged(confirmed, sig))) throw new Raced();
    if (status === 'confirmed') {
      // Its keys, marked unscored: the duplicate check runs after the commit (steps/flag-duplicates.ts).
      await keyForScoring(tx, confirmed);
      // Its log entry lands with the confirmation or not at all (a held one's lands when it is released).
      await logSignature(tx, deps, letter, confirmed);
    }
    const receiptToken = await issueSignerToken(tx, deps, confirmed.id, 'receipt');
    return { letter, signature: confirmed, receiptToken };
  }));
  deps.signals.letterChanged(result.letter.id);
  if (result.signature.status === 'confirmed') {
    deps.signals.logQueued();
    // Out of the write transaction, before the answer: the organisers' queue has the pair when the signer sees
    // "confirmed". Should it fail (or the process stop here), the marker stays and the worker's sweep scores it.
    await scoreConfirmation(deps, result.signature).catch(() => undefined);
  }
  return result;
}

/** Thrown inside the renewal transaction to roll it back (with its mail) when a concurrent request changed the row. */
class RowChanged extends Error {
  constructor(readonly result: Confirmed) {
    super('row changed');
  }
}

/** Sends a new confirmation link for the signature an expired link belonged to. */
export async function renewConfirmation(deps: Deps, token: string): Promise<Confirmed> {
  try {
    const renewed = await renewOnce(deps, token);
    deps.signals.mailQueued();
    return renewed;
  } catch (e) {
    // The concurrent request (another renewal or a signing) mails its own fresh link; this one sends nothing.
    if (e instanceof RowChanged) return e.result;
    throw e;
  }
}

async function renewOnce(deps: Deps, token: string): Promise<Confirmed> {
  return deps.store.transaction(async (tx) => {
    const sig = await tx.signatures.byTokenHash(deps.secrets.hashToken(token));
    if (!sig) throw new DomainError('TOKEN_INVALID', 'This confirmation link is not valid');
    if (sig.status === 'confirmed' || sig.status === 'held') throw new DomainError('SIGNATURE_ALREADY_CONFIRMED', 'This signature is already confirmed');
    const letter = await tx.letters.byId(sig.letterId);
    if (!letter) throw new DomainError('TOKEN_INVALID', 'This confirmation link is not valid');
    if (letter.state !== 'open') throw new DomainError('LETTER_CLOSED', 'This letter is closed');
    // Same mail-bombing guard as signing again: a link that still works is not re-sent without end.
    if (decideSign(sig, deps.clock.now()).kind === 'suppress') return { letter, signature: sig };
    const renewed = await issueConfirmation(tx, deps, letter, { ...sig, status: 'pending' });
    // Conditional: two renewals at once must not both mail a link while only one token is stored (PostgreSQL).
    if (!(await tx.signatures.updateIfUnchanged(renewed, sig))) throw new RowChanged({ letter, signature: sig });
    return { letter, signature: renewed };
  });
}
