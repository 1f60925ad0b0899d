/**
 * What signing needs of a letter besides its state — id, slug, default language, the languages and titles of its
 * current text version — kept for at most a second per store, so that a signature does not load the whole letter
 * (3 queries) inside its transaction. It is never trusted alone: the transaction reads the letter's state, text
 * version and last change by id (`letters.stateOf`, one small row) and, when the text version or the last change
 * differ from the snapshot's, loads the whole letter again as before. The state always comes from that read.
 */
import type { LetterState, LetterWithText } from '../../core/model.ts';
import type { LetterStateRow, Store, StoreTx } from '../../core/ports.ts';

export interface LetterSnapshot {
  id: string;
  slug: string;
  state: LetterState;
  defaultLang: string;
  textVersion: number;
  updatedAt: string;
  versions: readonly { lang: string; title: string }[];
}

/** How long a snapshot is used before the letter is loaded again (real time, not the injected clock). */
export const SNAPSHOT_TTL_MS = 1000;
/** Most snapshots kept per store (the oldest goes first). */
export const SNAPSHOT_MAX = 1000;

const caches = new WeakMap<Store, Map<string, { snap: LetterSnapshot; at: number }>>();

function cacheOf(store: Store): Map<string, { snap: LetterSnapshot; at: number }> {
  let c = caches.get(store);
  if (!c) caches.set(store, (c = new Map()));
  return c;
}

export function snapshotOf(l: LetterWithText): LetterSnapshot {
  return {
    id: l.id,
    slug: l.slug,
    state: l.state,
    defaultLang: l.defaultLang,
    textVersion: l.textVersion,
    updatedAt: l.updatedAt,
    versions: l.versions.map((v) => ({ lang: v.lang, title: v.title })),
  };
}

function remember(store: Store, snap: LetterSnapshot): void {
  const c = cacheOf(store);
  c.delete(snap.slug);
  if (c.size >= SNAPSHOT_MAX) c.delete(c.keys().next().value!);
  c.set(snap.slug, { snap, at: performance.now() });
}

const refreshing = new WeakMap<Store, Map<string, Promise<LetterSnapshot | undefined>>>();

/**
 * Outside any transaction: a snapshot of the letter at `slug` checked against its row less than SNAPSHOT_TTL_MS ago
 * (one small read renews a snapshot whose letter did not change; otherwise the whole letter is read again), with the
 * state of that read, or undefined when there is no such letter. Concurrent callers share one refresh, so that a
 * snapshot expiring under load costs one read, not one per request in flight. A writer that trusts it must still
 * check it against the letter's row in the same statement or transaction (Store.insertFirstSignature does).
 */
export function snapshotForSigning(store: Store, slug: string): Promise<LetterSnapshot | undefined> | LetterSnapshot {
  const hit = caches.get(store)?.get(slug);
  if (hit && performance.now() - hit.at <= SNAPSHOT_TTL_MS) return hit.snap;
  let r = refreshing.get(store);
  if (!r) refreshing.set(store, (r = new Map()));
  const running = r.get(slug);
  if (running) return running;
  const p = (async () => {
    if (hit) {
      const current = await store.letters.stateOf(hit.snap.id);
      if (unchanged(hit.snap, current)) {
        const snap = { ...hit.snap, state: current.state };
        remember(store, snap);
        return snap;
      }
    }
    const full = await store.letters.bySlug(slug);
    if (!full) {
      forgetLetter(store, slug);
      return undefined;
    }
    const snap = snapshotOf(full);
    remember(store, snap);
    return snap;
  })().finally(() => r.delete(slug));
  r.set(slug, p);
  return p;
}

/** The letter's row still has the snapshot's text version and last change (its state may have moved). */
function unchanged(snap: LetterSnapshot, current: LetterStateRow | undefined): current is LetterStateRow {
  return !!current && current.textVersion === snap.textVersion && current.updatedAt === snap.updatedAt;
}

/** Drops what this process knows of a letter (after an organiser changed it here). */
export function forgetLetter(store: Store, slug: string): void {
  caches.get(store)?.delete(slug);
}

/**
 * Inside a transaction: the letter at `slug` as signing needs it, with its current state, or undefined when there
 * is none. One small query when the snapshot is fresh and the letter unchanged; otherwise the whole letter.
 */
export async function letterForSigning(store: Store, tx: StoreTx, slug: string): Promise<{ letter: LetterSnapshot; current: LetterStateRow } | undefined> {
  const hit = caches.get(store)?.get(slug);
  if (hit && performance.now() - hit.at <= SNAPSHOT_TTL_MS) {
    const current = await tx.letters.stateOf(hit.snap.id);
    if (unchanged(hit.snap, current)) return { letter: hit.snap, current };
  }
  const full = await tx.letters.bySlug(slug);
  if (!full) {
    forgetLetter(store, slug);
    return undefined;
  }
  const letter = snapshotOf(full);
  remember(store, letter);
  return { letter, current: { state: full.state, textVersion: full.textVersion, updatedAt: full.updatedAt } };
}
