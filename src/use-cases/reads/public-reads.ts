/**
 * What anyone may read of a letter: its text, its count, its public list sorted as the page's language sorts.
 * Threat: a viral letter watched by many people at once. Counts come from the store's aggregates (exact, no
 * COUNT(*); docs/decisions/0002-counts.md) and are cached for CACHE_MS per process. The public list is kept in
 * memory, sorted once per language, and refreshed incrementally in the background: a refresh reads only the
 * signatures whose row changed since the last one (plus an overlap, for transactions that committed late) and
 * merges them in, so that refreshing pages never re-sort a million names. Long sorts yield to the event loop.
 * A full rebuild runs every FULL_REBUILD_MS, and whenever the list disagrees with the store's exact public count,
 * as a safety net for a change the overlap missed.
 * The letter itself (by slug) and its removal numbers are cached for LETTER_MS: every page and API read needs them,
 * and reading a letter is three queries. Changes made in this process invalidate them at once (invalidate());
 * another process (a second server, the CLI) is seen within LETTER_MS.
 */
import { nameComparator } from '../../core/names/index.ts';
import type { LetterWithText, PublicSignature } from '../../core/model.ts';
import type { LetterStats, PublicChange } from '../../core/ports.ts';
import type { Removals, SignatureLog } from '../../core/log-ports.ts';
import type { Deps } from '../deps.ts';

export const PAGE_SIZE = 100;
/** At most this many notable signatories are shown (checked titles; the full list has them all). */
export const MAX_NOTABLE = 60;

/** A letter's count by how its signatures came (sum: total). */
export interface CountSplit {
  total: number;
  email: number;
  paper: number;
  imported: number;
}

/** The notable signatories of a sorted public list: only those whose title an organiser checked, in list order. */
export function notableOf(sorted: readonly PublicSignature[], max = MAX_NOTABLE): PublicSignature[] {
  const out: PublicSignature[] = [];
  for (const s of sorted) {
    if (s.titleChecked === true && s.title) out.push(s);
    if (out.length >= max) break;
  }
  return out;
}
const CACHE_MS = 2000;
/** How far before the newest change seen a refresh reads again (clock skew between processes, slow commits). */
const OVERLAP_MS = 5000;
const FULL_REBUILD_MS = 10 * 60_000;
const BATCH = 5000;
/** Below this many names, an invalidation rebuilds the list from scratch (exact whatever the clocks did). */
const SMALL_LIST = 5000;
/** How long a letter read by slug, and its removal numbers, are reused (see the header). */
const LETTER_MS = 1000;
/**
 * Bound of the letter and removals caches. Only letters that exist are cached (a miss is not), so the caches hold at
 * most one entry per letter; past this many (a site with many letters) they are emptied and fill again.
 */
const MAX_LETTERS = 1000;
/** Numbers every list version: a rendered page or response body made from version N is still right while it is N. */
let listVersions = 0;


type Cmp = (a: PublicSignature, b: PublicSignature) => number;

/** The order of sortForLanguage, as a comparator. */
export function comparator(lang: string): Cmp {
  const byName = nameComparator(lang);
  return (a, b) => byName(a.name, b.name) || byName(a.nameAlt ?? '', b.nameAlt ?? '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Sorted by name with the page language's collation; ties broken by the other name, then id, so pages are stable. */
export function sortForLanguage(rows: PublicSignature[], lang: string): PublicSignature[] {
  return [...rows].sort(comparator(lang));
}

/** Vetted titles: a title an organiser checked carries titleChecked (docs: vet-title.ts). */
function markChecked(rows: PublicChange[], checked: Set<string>): void {
  for (const r of rows) if (r.sig.title && checked.has(r.sig.id)) r.sig.titleChecked = true;
}

/** Lets other requests run during long work: yields once ~8 ms have passed since the last yield. */
class Yielder {
  private last = performance.now();
  async maybe(): Promise<void> {
    if (performance.now() - this.last < 8) return;
    await new Promise((r) => setImmediate(r));
    this.last = performance.now();
  }
}

/** Merge sort in runs, yielding to the event loop between steps: sorting 1,000,000 names never blocks for long. */
export async function sortAsync(rows: PublicSignature[], cmp: Cmp): Promise<PublicSignature[]> {
  const y = new Yielder();
  const RUN = 1024;
  let runs: PublicSignature[][] = [];
  for (let i = 0; i < rows.length; i += RUN) {
    runs.push(rows.slice(i, i + RUN).sort(cmp));
    await y.maybe();
  }
  while (runs.length > 1) {
    const next: PublicSignature[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      const a = runs[i]!;
      const b = runs[i + 1];
      if (!b) {
        next.push(a);
        continue;
      }
      const out = new Array<PublicSignature>(a.length + b.length);
      let ia = 0;
      let ib = 0;
      let k = 0;
      while (ia < a.length && ib < b.length) {
        out[k++] = cmp(a[ia]!, b[ib]!) <= 0 ? a[ia++]! : b[ib++]!;
        if ((k & 4095) === 0) await y.maybe();
      }
      while (ia < a.length) out[k++] = a[ia++]!;
      while (ib < b.length) out[k++] = b[ib++]!;
      next.push(out);
    }
    runs = next;
  }
  return runs[0] ?? [];
}

/** Inserts sorted `add` into sorted `base`: a binary search per new name, then one copy (no full re-sort). */
function mergeSorted(base: PublicSignature[], add: PublicSignature[], cmp: Cmp): PublicSignature[] {
  if (!add.length) return base;
  const out: PublicSignature[] = [];
  let from = 0;
  for (const x of add) {
    let lo = from;
    let hi = base.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmp(base[mid]!, x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = from; i < lo; i++) out.push(base[i]!);
    out.push(x);
    from = lo;
  }
  for (let i = from; i < base.length; i++) out.push(base[i]!);
  return out;
}

interface Item {
  sig: PublicSignature;
  updatedAt: string;
}

interface List {
  letterId: string;
  byId: Map<string, Item>;
  sorted: Map<string, PublicSignature[]>;
  sorting: Map<string, Promise<PublicSignature[]>>;
  /** Newest (updatedAt, id) read so far. */
  cursor: { updatedAt: string; id: string } | undefined;
  builtAt: number;
  refreshedAt: number;
  /** Changes whenever a sorted list may have changed (new for each build, bumped by each refresh that changed it). */
  version: number;
  refreshing: Promise<void> | undefined;
  /** Set by invalidate(): the next read waits for a refresh. */
  dirty: boolean;
  /** Set when the list disagreed with the exact public count: the next refresh is a full rebuild. */
  suspect: boolean;
}

const sameSig = (a: PublicSignature, b: PublicSignature) =>
  a.name === b.name && a.nameAlt === b.nameAlt && a.title === b.title && a.country === b.country && a.confirmedAt === b.confirmedAt &&
  a.titleChecked === b.titleChecked;

function minusMs(iso: string, ms: number): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t - ms).toISOString();
}


/**
 * Values kept `ttlMs` from when their load started; concurrent misses share one load; at most `max` keys (all are
 * dropped when full: the working set is a few letters). A load that resolves to undefined keeps nothing.
 */
class Expiring<V> {
  private readonly values = new Map<string, { at: number; value: V }>();
  private readonly loads = new Map<string, Promise<V>>();

  constructor(private readonly now: () => number, private readonly ttlMs: number, private readonly max = MAX_LETTERS) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.values.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return Promise.resolve(hit.value);
    let p = this.loads.get(key);
    if (!p) {
      const at = this.now();
      p = load().finally(() => this.loads.delete(key));
      p.then((value) => {
        if (value === undefined) return void this.values.delete(key);
        if (this.values.size >= this.max) this.values.clear();
        this.values.set(key, { at, value });
      }, () => undefined);
      this.loads.set(key, p);
    }
    return p;
  }

  delete(key: string): void {
    this.values.delete(key);
  }

  /** Keys whose cached value matches. */
  keysWhere(test: (value: V) => boolean): string[] {
    return [...this.values].filter(([, e]) => test(e.value)).map(([k]) => k);
  }
}

export class PublicReads {
  private readonly counts = new Expiring<number>(() => this.now(), CACHE_MS);
  private readonly statsCache = new Expiring<LetterStats>(() => this.now(), CACHE_MS);
  private readonly heldCounts = new Expiring<number>(() => this.now(), CACHE_MS);
  private readonly splitCache = new Expiring<CountSplit>(() => this.now(), CACHE_MS);
  private readonly notableCache = new Expiring<boolean>(() => this.now(), LETTER_MS);
  private lists = new Map<string, List>();
  private building = new Map<string, Promise<List>>();
  private readonly letters = new Expiring<LetterWithText | undefined>(() => this.now(), LETTER_MS);
  private readonly removalsCache = new Expiring<Removals>(() => this.now(), LETTER_MS);

  constructor(private readonly deps: Deps) {}

  /** The open letters (the first `max` the store lists), each with its text; undefined for one deleted meanwhile. */
  async openLetters(max = 200): Promise<(LetterWithText | undefined)[]> {
    const rows = (await this.deps.store.letters.list({ state: 'open' })).slice(0, max);
    return Promise.all(rows.map((l) => this.deps.store.letters.byId(l.id)));
  }

  /** The open and closed letters, each with its text. */
  async publishedLetters(): Promise<LetterWithText[]> {
    const out: LetterWithText[] = [];
    for (const l of await this.deps.store.letters.list()) {
      if (l.state === 'draft') continue;
      const full = await this.deps.store.letters.byId(l.id);
      if (full) out.push(full);
    }
    return out;
  }

  /**
   * The letter at this slug, drafts included (the caller decides who may see a draft), at most LETTER_MS old.
   * The same object is returned while it is cached, so callers may memoise on its identity.
   */
  async bySlug(slug: string): Promise<LetterWithText | undefined> {
    return this.letters.get(slug, () => this.deps.store.letters.bySlug(slug));
  }

  /** The log index and name opening of each listed signature (the API publishes them for audits). */
  signatureLogs(signatureIds: string[]): Promise<Map<string, SignatureLog>> {
    return this.deps.store.log.signatureLogs(signatureIds);
  }

  /** Withdrawals and removals per reason of the letter (by slug, as the log names it), at most LETTER_MS old. */
  async removals(slug: string): Promise<Removals> {
    return this.removalsCache.get(slug, () => this.deps.store.log.removals(slug));
  }

  /**
   * After a change in this process (a confirmation, a withdrawal, an organiser's edit or state change): the letter,
   * its removals and its count are read again, and the next list is refreshed first.
   */
  invalidate(letterId: string): void {
    this.counts.delete(letterId);
    this.statsCache.delete(letterId);
    this.heldCounts.delete(letterId);
    this.splitCache.delete(letterId);
    this.notableCache.delete(letterId);
    for (const slug of this.letters.keysWhere((l) => l?.id === letterId)) {
      this.letters.delete(slug);
      this.removalsCache.delete(slug);
    }
    const l = this.lists.get(letterId);
    if (l) l.dirty = true;
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }

  /** Confirmed signatures, public and hidden; at most CACHE_MS old. Concurrent misses share one query. */
  async count(letterId: string): Promise<number> {
    return this.counts.get(letterId, () => this.deps.store.signatures.countConfirmed(letterId));
  }

  /** Confirmed signatures held for a check (not counted until an organiser releases them); at most CACHE_MS old. */
  async held(letterId: string): Promise<number> {
    return this.heldCounts.get(letterId, () => this.deps.store.signatures.countHeld(letterId));
  }

  /**
   * The count split by how signatures came: confirmed by email, typed in from paper, imported from a list (the
   * signatories of an imported letter, or an organiser's import). The same object while cached (callers memoise on
   * it); at most CACHE_MS old.
   */
  async countSplit(letterId: string): Promise<CountSplit> {
    return this.splitCache.get(letterId, async () => {
      const [total, added] = await Promise.all([this.count(letterId), this.deps.store.desk.sourceCounts(letterId)]);
      return { total, email: Math.max(0, total - added.paper - added.imported), paper: added.paper, imported: added.imported };
    });
  }

  /** Whether the letter page shows its notable signatories (an owner's choice), at most LETTER_MS old. */
  async showNotable(letterId: string): Promise<boolean> {
    return this.notableCache.get(letterId, () => this.deps.store.desk.showNotable(letterId));
  }

  private readonly notableMemo = new Map<string, { version: number; items: PublicSignature[] }>();

  /**
   * The letter's notable signatories for `lang` when its owners show them (else none): public signatures whose title
   * an organiser checked, in the list's order, at most MAX_NOTABLE. Worked out once per list version.
   */
  async notable(letterId: string, lang: string): Promise<PublicSignature[]> {
    if (!(await this.showNotable(letterId))) return [];
    const { items, version } = await this.sorted(letterId, lang);
    const key = `${letterId}\u0000${lang}`;
    const hit = this.notableMemo.get(key);
    if (hit && hit.version === version) return hit.items;
    const out = notableOf(items);
    if (this.notableMemo.size >= MAX_LETTERS) this.notableMemo.clear();
    this.notableMemo.set(key, { version, items: out });
    return out;
  }

  /** Count per country and per hour (and the count), at most CACHE_MS old. */
  async stats(letterId: string): Promise<LetterStats> {
    return this.statsCache.get(letterId, () => this.deps.store.signatures.stats(letterId));
  }

  /** One page of the public list; `version` identifies the list it came from (equal versions, equal pages). */
  async page(letterId: string, lang: string, page: number): Promise<{ items: PublicSignature[]; page: number; pages: number; total: number; version: number }> {
    const list = await this.fresh(letterId);
    const sorted = await this.sortedFor(list, lang);
    const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
    const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
    return { items: sorted.slice((p - 1) * PAGE_SIZE, p * PAGE_SIZE), page: p, pages, total: sorted.length, version: list.version };
  }

  /** The whole public list sorted for `lang` (the shared array: do not change it), and its version. */
  async sorted(letterId: string, lang: string): Promise<{ items: readonly PublicSignature[]; version: number }> {
    const list = await this.fresh(letterId);
    return { items: await this.sortedFor(list, lang), version: list.version };
  }

  /** The list, refreshed in the background when older than CACHE_MS (readers get the previous one meanwhile). */
  private async fresh(letterId: string): Promise<List> {
    let list = this.lists.get(letterId);
    if (!list) return this.build(letterId);
    const now = this.now();
    if (list.dirty && list.byId.size < SMALL_LIST) {
      this.lists.delete(letterId);
      return this.build(letterId);
    }
    if (list.dirty) {
      list.dirty = false;
      await this.refresh(list);
    } else if (now - list.builtAt >= FULL_REBUILD_MS || list.suspect) {
      if (!this.building.has(letterId)) void this.build(letterId, true).catch(() => undefined);
    } else if (now - list.refreshedAt >= CACHE_MS && !list.refreshing) {
      void this.refresh(list).catch(() => undefined);
    }
    list = this.lists.get(letterId) ?? list;
    return list;
  }

  /** Reads every row of the letter in batches (yielding between them) into a new list. */
  private build(letterId: string, replace = false): Promise<List> {
    let p = this.building.get(letterId);
    if (p) return p;
    p = (async () => {
      const at = this.now();
      const list: List = {
        letterId, byId: new Map(), sorted: new Map(), sorting: new Map(), cursor: undefined,
        builtAt: at, refreshedAt: at, version: ++listVersions, refreshing: undefined, dirty: false, suspect: false,
      };
      const checked = new Set(await this.deps.store.desk.checkedTitles(letterId));
      for (;;) {
        const rows = await this.deps.store.signatures.changes(letterId, { after: list.cursor, limit: BATCH });
        markChecked(rows, checked);
        for (const r of rows) if (r.listed) list.byId.set(r.sig.id, { sig: r.sig, updatedAt: r.updatedAt });
        const last = rows[rows.length - 1];
        if (last) list.cursor = this.later(list.cursor, { updatedAt: last.updatedAt, id: last.sig.id });
        if (rows.length < BATCH) break;
        await new Promise((r) => setImmediate(r));
      }
      // A replacement keeps serving the languages the old list had sorted.
      const old = replace ? this.lists.get(letterId) : undefined;
      if (old) for (const lang of old.sorted.keys()) await this.sortedFor(list, lang);
      this.lists.set(letterId, list);
      return list;
    })().finally(() => this.building.delete(letterId));
    this.building.set(letterId, p);
    return p;
  }

  private later(a: List['cursor'], b: NonNullable<List['cursor']>): NonNullable<List['cursor']> {
    if (!a) return b;
    return b.updatedAt > a.updatedAt || (b.updatedAt === a.updatedAt && b.id > a.id) ? b : a;
  }

  /** Reads what changed since the cursor (minus the overlap) and merges it into every sorted language. */
  private refresh(list: List): Promise<void> {
    if (list.refreshing) return list.refreshing;
    list.refreshing = (async () => {
      const startedAt = this.now();
      const publicBefore = (await this.deps.store.signatures.stats(list.letterId)).publicCount;
      const since = list.cursor ? minusMs(list.cursor.updatedAt, OVERLAP_MS) : undefined;
      const changed: PublicChange[] = [];
      let after: List['cursor'];
      const checked = new Set(await this.deps.store.desk.checkedTitles(list.letterId));
      for (;;) {
        const rows = await this.deps.store.signatures.changes(list.letterId, { since, after, limit: BATCH });
        markChecked(rows, checked);
        changed.push(...rows);
        const last = rows[rows.length - 1];
        if (last) after = { updatedAt: last.updatedAt, id: last.sig.id };
        if (rows.length < BATCH) break;
        await new Promise((r) => setImmediate(r));
      }
      // Sorts in progress work from a snapshot of byId: let them finish before changing it.
      while (list.sorting.size) await Promise.all(list.sorting.values());
      const removed = new Set<string>();
      const added: PublicSignature[] = [];
      for (const r of changed) {
        list.cursor = this.later(list.cursor, { updatedAt: r.updatedAt, id: r.sig.id });
        const prev = list.byId.get(r.sig.id);
        if (prev && r.listed && prev.updatedAt === r.updatedAt && sameSig(prev.sig, r.sig)) continue;
        if (!prev && !r.listed) continue;
        if (prev) removed.add(r.sig.id);
        if (r.listed) {
          list.byId.set(r.sig.id, { sig: r.sig, updatedAt: r.updatedAt });
          added.push(r.sig);
        } else {
          list.byId.delete(r.sig.id);
        }
      }
      if (removed.size || added.length) {
        for (const [lang, arr] of list.sorted) {
          const cmp = comparator(lang);
          const kept = removed.size ? arr.filter((s) => !removed.has(s.id)) : arr;
          list.sorted.set(lang, mergeSorted(kept, [...added].sort(cmp), cmp));
        }
        list.version = ++listVersions;
      }
      list.refreshedAt = startedAt;
      // Everything public before the refresh began must be on the list now; fewer means a change was missed.
      if (list.byId.size < publicBefore) list.suspect = true;
    })().finally(() => {
      list.refreshing = undefined;
    });
    return list.refreshing;
  }

  private async sortedFor(list: List, lang: string): Promise<PublicSignature[]> {
    const done = list.sorted.get(lang);
    if (done) return done;
    let p = list.sorting.get(lang);
    if (!p) {
      const rows = [...list.byId.values()].map((i) => i.sig);
      p = sortAsync(rows, comparator(lang)).then((sorted) => {
        list.sorted.set(lang, sorted);
        list.sorting.delete(lang);
        return sorted;
      });
      list.sorting.set(lang, p);
    }
    return p;
  }
}
