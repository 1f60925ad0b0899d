/**
 * Background job (issue 17): when the blocking-key function changes (core/names KEY_VERSION), recompute the stored
 * keys of every signature whose keys are older, and re-check each of them for duplicates with the new keys, which
 * refreshes the organisers' review queue: new pairs are queued (a pair already queued is not repeated) and the open
 * reviews of each rekeyed signature are re-scored with the current engine (the organiser still decides them).
 *
 * No duplicate is missed during the change: a pair sharing a new key is found when the later of its two signatures
 * is rekeyed (the earlier already has new keys), or at confirmation if one is confirmed meanwhile (confirmations
 * write new keys). Each signature is rekeyed in its own transaction; two workers rekeying one signature at once
 * write the same keys (delete then insert, conflicts ignored) and the same reviews (unique per pair).
 */
import { comparePeople, KEY_VERSION, LIKELY_DUPLICATE } from '../../core/names/index.ts';
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
  for (const { letterId, signatureId } of stale) {
    reviews += await deps.store.transaction(async (tx) => {
      const sig = await tx.signatures.byId(signatureId);
      if (sig?.status !== 'confirmed') {
        // an unconfirmed, removed or erased signature keeps no keys (it is no candidate); dropping them also ends
        // the job, which would otherwise find them stale for ever
        await tx.reviews.putKeys(letterId, signatureId, [], KEY_VERSION);
        return 0;
      }
      rekeyed++;
      // every review of this signature, either way round and whatever its state: a pair is never queued twice, and
      // a pair the organiser dismissed does not come back
      const mine = (await tx.reviews.list(sig.letterId)).filter((r) => r.signatureId === sig.id || r.otherId === sig.id);
      const known = new Set(mine.map((r) => (r.signatureId === sig.id ? r.otherId : r.signatureId)));
      const found = (await flagDuplicates(tx, deps, sig, known)).length;
      // open reviews of this signature are re-scored with the current engine (the organiser still decides)
      for (const r of mine) {
        if (r.status !== 'open') continue;
        const other = await tx.signatures.byId(r.signatureId === sig.id ? r.otherId : r.signatureId);
        if (!other) continue;
        const score = Math.round(comparePeople(sig, other).score * 1000) / 1000;
        const band = score >= LIKELY_DUPLICATE ? 'likely' : 'review';
        if (score !== r.score || band !== r.band) await tx.reviews.update({ ...r, score, band });
      }
      return found;
    });
  }
  const left = stale.length < batch ? 0 : (await deps.store.reviews.staleKeys(KEY_VERSION, 1)).length;
  return { rekeyed, reviews, left };
}
