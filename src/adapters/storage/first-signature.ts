/**
 * `Store.insertFirstSignature` as steps inside a transaction, for the stores whose statements are cheap (memory,
 * SQLite: there the commit is what is shared, and the group commit shares it). PostgreSQL does the same in one
 * statement (sql/first-signatures.ts).
 */
import type { FirstSignature, StoreTx } from '../../core/ports.ts';

export async function insertFirstSignatureSteps(tx: StoreTx, first: FirstSignature): Promise<boolean> {
  const l = await tx.letters.stateOf(first.letter.id);
  if (!l || l.state !== first.letter.state || l.textVersion !== first.letter.textVersion || l.updatedAt !== first.letter.updatedAt) return false;
  if (!(await tx.signatures.insert(first.signature))) return false;
  await tx.log.putSignerToken(first.signerToken.tokenHash, first.signature.id, first.signerToken.purpose, first.signerToken.createdAt);
  if (first.manageToken) await tx.log.putSignerToken(first.manageToken.tokenHash, first.signature.id, 'manage', first.manageToken.createdAt);
  await tx.outbox.enqueue(first.job);
  return true;
}
