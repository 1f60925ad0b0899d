/** Signer tokens: the links of a signer's receipt and withdrawal; only their hashes are stored. */
import type { StoreTx } from '../../core/ports.ts';
import type { SignerTokenPurpose } from '../../core/log-ports.ts';
import { iso, type Deps } from '../deps.ts';

/** A new signer token (receipt or withdrawal link); only its hash is stored. */
export async function issueSignerToken(tx: StoreTx, deps: Deps, signatureId: string, purpose: SignerTokenPurpose): Promise<string> {
  const token = deps.secrets.newToken();
  await tx.log.putSignerToken(deps.secrets.hashToken(token), signatureId, purpose, iso(deps.clock.now()));
  return token;
}
