/**
 * When a signature is confirmed, look for the same person already on the letter — across spellings and
 * scripts — through the blocking keys, and queue likely duplicates for an organiser. Nothing is removed
 * automatically: a false merge would silence a real signatory.
 */
import { blockingKeys, KEY_VERSION, comparePreparedPeople, LIKELY_DUPLICATE, preparePerson, REVIEW, type PreparedPerson } from '../../core/names/index.ts';
import type { DuplicateReview, Signature } from '../../core/model.ts';
import type { StoreTx } from '../../core/ports.ts';
import { iso, type Deps } from '../deps.ts';

/** At most this many candidates are scored per confirmation (blocking keeps it to a handful in practice). */
export const MAX_CANDIDATES = 200;

/**
 * Prepared names (normalised, tokenised, keyed) of recent candidates, by the names themselves: during a surge the
 * same signatories of a crowded block (common names) are candidates of confirmation after confirmation, and
 * preparing them again was about a tenth of a confirmation's CPU. Preparing is a pure function of the two strings,
 * so an entry can never be stale; bounded, the oldest entry leaves first.
 */
const PREPARED_MAX = 10_000;
const prepared = new Map<string, PreparedPerson>();

function preparedPerson(name: string, nameAlt: string | null): PreparedPerson {
  const key = nameAlt === null ? name : `${name}\u0000${nameAlt}`;
  let p = prepared.get(key);
  if (!p) {
    p = preparePerson({ name, nameAlt });
    if (prepared.size >= PREPARED_MAX) prepared.delete(prepared.keys().next().value!);
    prepared.set(key, p);
  }
  return p;
}

/** `known`: ids of signatures already paired with `sig` in a review, either way round (not queued again). */
export async function flagDuplicates(tx: StoreTx, deps: Deps, sig: Signature, known?: ReadonlySet<string>): Promise<DuplicateReview[]> {
  const keys = blockingKeys(sig.name, sig.nameAlt);
  await tx.reviews.putKeys(sig.letterId, sig.id, keys, KEY_VERSION);
  const candidates = await tx.reviews.candidates(sig.letterId, keys, sig.id, MAX_CANDIDATES);
  const found: DuplicateReview[] = [];
  if (!candidates.length) return found;
  // The new signature's names are normalised and tokenised once, not once per candidate (same scores).
  const mine = preparePerson({ name: sig.name, nameAlt: sig.nameAlt ?? null });
  for (const other of candidates) {
    if (known?.has(other.id)) continue;
    const cmp = comparePreparedPeople(mine, preparedPerson(other.name, other.nameAlt ?? null));
    if (cmp.score < REVIEW) continue;
    const review: DuplicateReview = {
      id: deps.secrets.newId(),
      letterId: sig.letterId,
      signatureId: sig.id,
      otherId: other.id,
      score: Math.round(cmp.score * 1000) / 1000,
      band: cmp.score >= LIKELY_DUPLICATE ? 'likely' : 'review',
      status: 'open',
      createdAt: iso(deps.clock.now()),
    };
    await tx.reviews.insert(review);
    found.push(review);
  }
  return found;
}
