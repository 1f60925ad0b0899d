/**
 * When a signature is confirmed, look for the same person already on the letter — across spellings and
 * scripts — through the blocking keys, and queue likely duplicates for an organiser. Nothing is removed
 * automatically: a false merge would silence a real signatory.
 *
 * A confirmation scores after its commit, not inside its write transaction (issue 14): the transaction writes the
 * signature's blocking keys with their version negated (`keyForScoring`), which marks them unscored; once committed,
 * `scoreConfirmation` reads the candidates, scores them outside any transaction and, in a short transaction, makes
 * the version positive again (conditional: of two scorers one writes) together with the reviews found. A process
 * killed between the two leaves the marker, and the worker's sweep (`scoreUnscored`) scores it later.
 *
 * Two lookalikes confirmed at the same moment (each transaction unable to see the other's keys on PostgreSQL) are
 * still paired, and once: scoring runs after both committed, so each sees the other's keys; a signature skips a
 * candidate that is itself still unscored and later in id order (that candidate, scored later or at the same time,
 * compares with this one), and skips a candidate already paired with it either way round.
 */
import { blockingKeys, KEY_VERSION, comparePreparedPeople, LIKELY_DUPLICATE, preparePerson, REVIEW, type PreparedPerson } from '../../core/names/index.ts';
import type { DuplicateReview, Signature } from '../../core/model.ts';
import type { DuplicateCandidate, StoreTx } from '../../core/ports.ts';
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

/** Writes the keys of a signature being confirmed, marked unscored (inside the confirmation's transaction). */
export async function keyForScoring(tx: StoreTx, sig: Signature): Promise<void> {
  await tx.reviews.putKeys(sig.letterId, sig.id, blockingKeys(sig.name, sig.nameAlt), -KEY_VERSION);
}

/**
 * Scores one confirmed signature whose keys are marked unscored (after the commit that wrote them); the reviews it
 * queued. Nothing when another scorer did it first, or the signature is no longer confirmed.
 */
export async function scoreConfirmation(deps: Deps, letterId: string, signatureId: string): Promise<DuplicateReview[]> {
  const store = deps.store;
  const sig = await store.signatures.byId(signatureId);
  if (sig?.status !== 'confirmed') {
    // Withdrawn or erased meanwhile: no candidate, nothing to score; the marker ends so the sweep does not return.
    await store.transaction((tx) => tx.reviews.markScored(signatureId));
    return [];
  }
  const keys = blockingKeys(sig.name, sig.nameAlt);
  const candidates = await store.reviews.candidates(letterId, keys, sig.id, MAX_CANDIDATES);
  const mine = candidates.length ? preparePerson({ name: sig.name, nameAlt: sig.nameAlt ?? null }) : undefined;
  let scored: { other: DuplicateCandidate; score: number }[] = [];
  for (const other of candidates) {
    const cmp = comparePreparedPeople(mine!, preparedPerson(other.name, other.nameAlt ?? null));
    if (cmp.score >= REVIEW) scored.push({ other, score: cmp.score });
  }
  if (scored.length) {
    // The unscored among them first, then the pairs: a candidate read as scored has committed its reviews already.
    const unscored = await store.reviews.unscoredAmong(scored.map((x) => x.other.id));
    const known = await store.reviews.pairedWith(letterId, sig.id);
    scored = scored.filter(({ other }) => !known.has(other.id) && !(unscored.has(other.id) && other.id > sig.id));
  }
  const at = iso(deps.clock.now());
  const reviews: DuplicateReview[] = scored.map(({ other, score }) => ({
    id: deps.secrets.newId(),
    letterId,
    signatureId: sig.id,
    otherId: other.id,
    score: Math.round(score * 1000) / 1000,
    band: score >= LIKELY_DUPLICATE ? 'likely' : 'review',
    status: 'open',
    createdAt: at,
  }));
  return store.transaction(async (tx) => {
    if (!(await tx.reviews.markScored(sig.id))) return [];
    for (const r of reviews) await tx.reviews.insert(r);
    return reviews;
  });
}

/** The worker's sweep: scores up to `limit` confirmations left unscored (a process stopped after their commit). */
export async function scoreUnscored(deps: Deps, limit = 500): Promise<{ scored: number; reviews: number }> {
  const due = await deps.store.reviews.unscored(limit);
  let reviews = 0;
  for (const { letterId, signatureId } of due) reviews += (await scoreConfirmation(deps, letterId, signatureId)).length;
  return { scored: due.length, reviews };
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
