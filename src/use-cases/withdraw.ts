/**
 * A signer withdraws their signature with the link only they received (in the confirmation mail) or from their
 * receipt page: the signature stops counting and leaves the list, and a `withdraw` entry records it in the log.
 * GET pages show a button and change nothing (mail scanners follow links); only a POST withdraws.
 */
import { DomainError } from '../core/errors.ts';
import type { LetterWithText, Signature } from '../core/model.ts';
import type { SignerTokenPurpose } from '../core/log-ports.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { logCancel } from './steps/log-entries.ts';

/** The signer links that may withdraw: the withdrawal link, the receipt page's button, the manage page. */
const WITHDRAWS: ReadonlySet<SignerTokenPurpose> = new Set<SignerTokenPurpose>(['withdraw', 'receipt', 'manage']);

export async function withdraw(deps: Deps, token: string): Promise<{ letter: LetterWithText; signature: Signature; already: boolean }> {
  if (typeof token !== 'string' || token.length < 16 || token.length > 200) throw new DomainError('TOKEN_INVALID', 'This link is not valid');
  const now = iso(deps.clock.now());
  const result = await retryRaced(() => deps.store.transaction(async (tx) => {
    const t = await tx.log.signerToken(deps.secrets.hashToken(token));
    // Only a link that was given for it withdraws: never an update mail's unsubscribe link (providers and anyone the
    // mail is forwarded to see that one).
    const sig = t && WITHDRAWS.has(t.purpose) ? await tx.signatures.byId(t.signatureId) : undefined;
    const letter = sig && (await tx.letters.byId(sig.letterId));
    if (!t || !sig || !letter) throw new DomainError('TOKEN_INVALID', 'This link is not valid');
    if (sig.status === 'withdrawn' || sig.status === 'invalidated') return { letter, signature: sig, already: true };
    const withdrawn: Signature = { ...sig, status: 'withdrawn', withdrawnAt: now, updatedAt: now, tokenHash: undefined, tokenExpiresAt: undefined };
    // Conditional: the loser of two withdrawals at once runs again and answers `already`, with no second entry.
    if (!(await tx.signatures.updateIfUnchanged(withdrawn, sig))) throw new Raced();
    // A pending signature was never logged: nothing to cancel there.
    if (sig.status === 'confirmed') await logCancel(tx, deps, letter, sig.id, 'withdraw', 'signer');
    return { letter, signature: withdrawn, already: false };
  }));
  deps.signals.letterChanged(result.letter.id);
  if (!result.already) deps.signals.logQueued();
  return result;
}
