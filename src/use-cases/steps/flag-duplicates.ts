/**
 * When a signature is confirmed, look for the same person already on the letter — across spellings and
 * scripts — through the blocking keys, and queue likely duplicates for an organiser. Nothing is removed
 * automatically: a false merge would silence a real signatory.
 *
 * A confirmation scores after its commit, not inside its write transaction (issue 14): the transaction writes the
 * signature's blocking keys with their version negated (`keyForScoring`), which marks them unscored; once committed
 * and before the answer, `scoreConfirmation` scores it in the batch of the moment (one transaction for the
 * confirmations of one turn, `scoreConfirmations`), which makes the version positive again (conditional: of two
 * scorers one writes) together with the reviews found. A process killed between the two leaves the marker, and the
 * worker's sweep (`scoreUnscored`, at start and every minute) scores it later: nothing is lost, nothing doubled.
 *
 * Two lookalikes confirmed at the same moment (each transaction unable to see the other's keys on PostgreSQL) are
 * still paired, and once: scoring runs after both committed and holds the letter's scoring lock while it reads and
 * marks, so of two lookalikes the one scored second sees the other; a signature skips a candidate that is itself
 * still unscored and later in id order (that candidate, scored later, compares with this one), and skips a candidate
 * already paired with it either way round.
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

/** One confirmation to score: its letter and signature (with the names it was confirmed with, when known). */
export interface ToScore {
  letterId: string;
  signatureId: string;
  names?: { name: string; nameAlt?: string };
}

/**
 * Scores confirmed signatures whose keys are marked unscored (after the commits that wrote them), in one
 * transaction that holds each of their letters' scoring lock: reading the candidates and marking the signature
 * scored must not interleave with another scorer of the letter, or two lookalikes scored at once could each skip
 * the other. The reviews queued, per item. An item already scored (by another process, a sweep) queues nothing.
 * Round trips per batch: the lock, the marks, the candidates (one per letter on PostgreSQL), more only when a
 * candidate scores high enough to be queued.
 */
export async function scoreConfirmations(deps: Deps, items: readonly ToScore[]): Promise<DuplicateReview[][]> {
  if (!items.length) return [];
  return deps.store.transaction(async (tx) => {
    // Locks in one order (letter id), so that two batches never wait for each other's.
    for (const letterId of [...new Set(items.map((i) => i.letterId))].sort()) await tx.reviews.lockScoring(letterId);
    // Marked scored up front, in one statement: a later item of this batch that is a candidate of an earlier one is
    // then compared with it, and when its own turn comes finds the pair already queued (known).
    const due = await tx.reviews.markScoredAll(items.map((i) => i.signatureId));
    // Their names (the sweep reads them; a signature withdrawn or erased meanwhile has nothing to compare) and
    // then every candidate of a letter's items in one call (PostgreSQL: one round trip).
    const named: (ToScore & { names: { name: string; nameAlt?: string }; keys: string[] })[] = [];
    for (const item of items) {
      if (!due.has(item.signatureId)) continue;
      let names = item.names;
      if (!names) {
        const row = await tx.signatures.byId(item.signatureId);
        if (row?.status !== 'confirmed') continue;
        names = row;
      }
      named.push({ ...item, names, keys: blockingKeys(names.name, names.nameAlt) });
    }
    const candidates = new Map<string, DuplicateCandidate[]>();
    for (const letterId of new Set(named.map((i) => i.letterId))) {
      const got = await tx.reviews.candidatesOfMany(letterId, named.filter((i) => i.letterId === letterId).map((i) => ({ id: i.signatureId, keys: i.keys })), MAX_CANDIDATES);
      for (const [id, c] of got) candidates.set(id, c);
    }
    const found = new Map<string, DuplicateReview[]>();
    for (const item of named) found.set(item.signatureId, await scoreOne(tx, deps, item, candidates.get(item.signatureId) ?? []));
    return items.map((i) => found.get(i.signatureId) ?? []);
  });
}

async function scoreOne(tx: StoreTx, deps: Deps, { letterId, signatureId, names: sig }: ToScore & { names: { name: string; nameAlt?: string } }, candidates: DuplicateCandidate[]): Promise<DuplicateReview[]> {
  if (!candidates.length) return [];
  // Through the cache: this signature is a candidate of the lookalikes confirmed after it, prepared once for both.
  const mine = preparedPerson(sig.name, sig.nameAlt ?? null);
  let scored: { other: DuplicateCandidate; score: number }[] = [];
  for (const other of candidates) {
    const cmp = comparePreparedPeople(mine, preparedPerson(other.name, other.nameAlt ?? null));
    if (cmp.score >= REVIEW) scored.push({ other, score: cmp.score });
  }
  if (!scored.length) return [];
  // A candidate still unscored and later in id order compares with this one when it is scored; a pair queued
  // already (either way round, by a scorer or an import or a release) is not queued again.
  const unscored = await tx.reviews.unscoredAmong(scored.map((x) => x.other.id));
  const known = await tx.reviews.pairedWith(letterId, signatureId);
  scored = scored.filter(({ other }) => !known.has(other.id) && !(unscored.has(other.id) && other.id > signatureId));
  const at = iso(deps.clock.now());
  const reviews: DuplicateReview[] = scored.map(({ other, score }) => ({
    id: deps.secrets.newId(),
    letterId,
    signatureId,
    otherId: other.id,
    score: Math.round(score * 1000) / 1000,
    band: score >= LIKELY_DUPLICATE ? 'likely' : 'review',
    status: 'open',
    createdAt: at,
  }));
  for (const r of reviews) await tx.reviews.insert(r);
  return reviews;
}

/**
 * The confirmations of one moment scored together (one transaction for a batch, as signings share a statement):
 * an item that arrives while a batch runs waits for the next. Per store.
 */
class ScoringBatches {
  static readonly MAX_BATCH = 100;
  private queue: { item: ToScore; resolve: (r: DuplicateReview[]) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly deps: Deps) {}

  score(item: ToScore): Promise<DuplicateReview[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.pump();
    });
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      // Those queued in the same turn of the event loop go together.
      await new Promise((r) => setImmediate(r));
      while (this.queue.length) {
        const batch = this.queue.splice(0, ScoringBatches.MAX_BATCH);
        try {
          const found = await scoreConfirmations(this.deps, batch.map((w) => w.item));
          batch.forEach((w, i) => {
            w.resolve(found[i]!);
          });
        } catch (e) {
          for (const w of batch) w.reject(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

const batches = new WeakMap<object, ScoringBatches>();

/** Scores one confirmation after its commit, in the batch of the moment; the reviews it queued. */
export function scoreConfirmation(deps: Deps, sig: Signature): Promise<DuplicateReview[]> {
  let b = batches.get(deps.store);
  if (!b) batches.set(deps.store, (b = new ScoringBatches(deps)));
  return b.score({ letterId: sig.letterId, signatureId: sig.id, names: { name: sig.name, ...(sig.nameAlt ? { nameAlt: sig.nameAlt } : {}) } });
}

/** The worker's sweep: scores up to `limit` confirmations left unscored (a process stopped after their commit). */
export async function scoreUnscored(deps: Deps, limit = 500): Promise<{ scored: number; reviews: number }> {
  const due = await deps.store.reviews.unscored(limit);
  let reviews = 0;
  for (let i = 0; i < due.length; i += ScoringBatches.MAX_BATCH) {
    for (const found of await scoreConfirmations(deps, due.slice(i, i + ScoringBatches.MAX_BATCH))) reviews += found.length;
  }
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
