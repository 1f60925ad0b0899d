/**
 * Background job (issue 17): when the blocking-key function changes (core/names KEY_VERSION), recompute the stored
 * keys of every signature whose keys are older, and re-check each of them for duplicates with the new keys, which
 * refreshes the organisers' review queue (a review of a pair already queued is not repeated).
 *
 * No duplicate is missed during the change: a pair sharing a new key is found when the later of its two signatures
 * is rekeyed (the earlier already has new keys), or at confirmation if one is confirmed meanwhile (confirmations
 * write new keys). Each signature is rekeyed in its own transaction; two workers rekeying one signature at once
 * write the same keys (delete then insert, conflicts ignored) and the same reviews (unique per pair).
 */
import { KEY_VERSION } from '../../core/names/index.ts';
import type { Deps } from '../deps.ts';
import { flagDuplicates } from '../steps/flag-duplicates.ts';

export interface RekeyResult {
  rekeyed: number;
  reviews: number;
  /** Signatures still to do after this batch (0 = done). */
  left: number;
}

export async function rekeyNames(deps: Deps, batch = 200): Promise<RekeyResult> {
  const stale = await deps.store.reviews.staleKeys(KEY_VERSION, batch);
  let rekeyed = 0;
  let reviews = 0;
  for (const { signatureId } of stale) {
    reviews += await deps.store.transaction(async (tx) => {
      const sig = await tx.signatures.byId(signatureId);
      if (!sig || sig.status !== 'confirmed') {
        // an unconfirmed or removed signature keeps no keys (it is no candidate)
        if (sig) await tx.reviews.putKeys(sig.letterId, sig.id, [], KEY_VERSION);
        return 0;
      }
      rekeyed++;
      return (await flagDuplicates(tx, deps, sig)).length;
    });
  }
  const left = stale.length < batch ? 0 : (await deps.store.reviews.staleKeys(KEY_VERSION, 1)).length;
  return { rekeyed, reviews, left };
}
