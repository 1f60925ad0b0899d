/**
 * What anyone may read of a letter: its text, its count, its public list sorted as the page's language sorts.
 * Threat: a viral letter watched by many people at once. Lists and counts are read from a short-lived cache
 * so that refreshing pages do not each sort the whole list again.
 */
import { DomainError } from '../core/errors.ts';
import type { LetterWithText, PublicSignature } from '../core/model.ts';
import type { Deps } from './deps.ts';

export const PAGE_SIZE = 100;
const CACHE_MS = 2000;

interface Entry {
  at: number;
  count: number;
  rows: PublicSignature[];
  sorted: Map<string, PublicSignature[]>;
}

const collators = new Map<string, Intl.Collator>();
function collator(lang: string): Intl.Collator {
  let c = collators.get(lang);
  if (!c) {
    c = new Intl.Collator(lang, { sensitivity: 'variant', numeric: true });
    collators.set(lang, c);
  }
  return c;
}

/** Sorted by name with the page language's collation; ties broken by the other name, then id, so pages are stable. */
export function sortForLanguage(rows: PublicSignature[], lang: string): PublicSignature[] {
  const c = collator(lang);
  return [...rows].sort((a, b) => c.compare(a.name, b.name) || c.compare(a.nameAlt ?? '', b.nameAlt ?? '') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export class PublicReads {
  private cache = new Map<string, Entry>();
  constructor(private readonly deps: Deps) {}

  async letter(slug: string, opts: { includeDrafts?: boolean } = {}): Promise<LetterWithText> {
    const letter = await this.deps.store.letters.bySlug(slug);
    if (!letter || (letter.state === 'draft' && !opts.includeDrafts)) throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
    return letter;
  }

  /** Drops the cached list of a letter (after a confirmation in this process). */
  invalidate(letterId: string): void {
    this.cache.delete(letterId);
  }

  private async entry(letterId: string): Promise<Entry> {
    const now = this.deps.clock.now().getTime();
    const hit = this.cache.get(letterId);
    if (hit && now - hit.at < CACHE_MS) return hit;
    const [count, rows] = await Promise.all([this.deps.store.signatures.countConfirmed(letterId), this.deps.store.signatures.listPublic(letterId)]);
    const e: Entry = { at: now, count, rows, sorted: new Map() };
    this.cache.set(letterId, e);
    return e;
  }

  async count(letterId: string): Promise<number> {
    return (await this.entry(letterId)).count;
  }

  async page(letterId: string, lang: string, page: number): Promise<{ items: PublicSignature[]; page: number; pages: number; total: number }> {
    const e = await this.entry(letterId);
    let sorted = e.sorted.get(lang);
    if (!sorted) {
      sorted = sortForLanguage(e.rows, lang);
      e.sorted.set(lang, sorted);
    }
    const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
    const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
    return { items: sorted.slice((p - 1) * PAGE_SIZE, p * PAGE_SIZE), page: p, pages, total: sorted.length };
  }
}
