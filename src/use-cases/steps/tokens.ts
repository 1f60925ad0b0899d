/** Signer tokens: the links of a signer's receipt, withdrawal and "manage my signature" pages; only their hashes are stored. */
import { DomainError } from '../../core/errors.ts';
import type { LetterWithText, Signature } from '../../core/model.ts';
import type { StoreTx } from '../../core/ports.ts';
import type { SignerTokenPurpose } from '../../core/log-ports.ts';
import { iso, type Deps } from '../deps.ts';

/** A new signer token (receipt, withdrawal or manage link); only its hash is stored. */
export async function issueSignerToken(tx: StoreTx, deps: Deps, signatureId: string, purpose: SignerTokenPurpose): Promise<string> {
  const token = deps.secrets.newToken();
  await tx.log.putSignerToken(deps.secrets.hashToken(token), signatureId, purpose, iso(deps.clock.now()));
  return token;
}

/**
 * The signature and letter a signer token opens, read through `tx` (a transaction or the store). With `purpose`,
 * only a token of that purpose: a receipt or withdrawal link must not open the manage page's actions (erasure,
 * visibility), which only the manage link may. TOKEN_INVALID for anything else, whatever the reason (threat: telling
 * a guesser which tokens exist).
 */
export async function signerByToken(tx: Pick<StoreTx, 'log' | 'signatures' | 'letters'>, deps: Deps, token: unknown, purpose?: SignerTokenPurpose): Promise<{ letter: LetterWithText; signature: Signature; purpose: SignerTokenPurpose }> {
  if (typeof token !== 'string' || token.length < 16 || token.length > 200) throw new DomainError('TOKEN_INVALID', 'This link is not valid');
  const t = await tx.log.signerToken(deps.secrets.hashToken(token));
  const signature = t && (!purpose || t.purpose === purpose) ? await tx.signatures.byId(t.signatureId) : undefined;
  const letter = signature && (await tx.letters.byId(signature.letterId));
  if (!t || !signature || !letter) throw new DomainError('TOKEN_INVALID', 'This link is not valid');
  return { letter, signature, purpose: t.purpose };
}
