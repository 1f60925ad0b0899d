/**
 * The public letter page, the page a viral letter's audience loads and reloads. Threat: tens of thousands of
 * requests a second for one letter. It carries nothing of the visitor (no CSRF token, no session: forms are
 * protected by cross-origin checks, cross-origin.ts), so each (letter, language, list page) is one set of bytes for
 * everyone: rendered once per change of what it shows (the letter, the count, the removal numbers, the list),
 * compressed once, and sent with a strong ETag and short shared caching, so that a CDN can serve it too.
 *
 * The first page (what nearly everyone loads) is compressed at high settings off the event loop (about 10 ms, once
 * per change: requests arriving meanwhile wait for that version, which a change in this process must show at once).
 * Deeper list pages are kept in a bounded cache and compressed quickly, on first demand per coding.
 */
import { createHash } from 'node:crypto';
import { Representation } from '../representations.ts';

/** Letter pages cached per process, and the bytes they may hold (raw and compressed together). */
const MAX_FIRST_PAGES = 1000;
const MAX_DEEP_PAGES = 2000;
const MAX_DEEP_BYTES = 48 * 1024 * 1024;

/**
 * Shared caches may keep a page 5 s and serve it stale for 30 s more while they fetch the next; browsers keep it 5 s.
 * Counts are cached 2 s in the process anyway; with an ETag a revalidation costs a 304.
 */
export const PUBLIC_PAGE_CACHE = 'public, max-age=5, s-maxage=5, stale-while-revalidate=30';
const HTML = 'text/html; charset=utf-8';

/**
 * A short fingerprint of a value's content, kept per object. PublicReads re-reads the letter and its removal numbers
 * every second as new objects with (mostly) the same content: comparing content, not identity, keeps the page from
 * being rendered and compressed again every second for nothing.
 */
const prints = new WeakMap<object, string>();
export function fingerprint(o: object | undefined): string {
  if (!o) return '-';
  let p = prints.get(o);
  if (p === undefined) {
    p = createHash('sha1').update(JSON.stringify(o)).digest('base64url');
    prints.set(o, p);
  }
  return p;
}

interface FirstPage {
  inputs: string;
  ready: Representation | undefined;
  /** The inputs of the version being built, and its promise. */
  buildingInputs: string | undefined;
  building: Promise<Representation> | undefined;
}

export class LetterPages {
  private first = new Map<string, FirstPage>();
  private deep = new Map<string, { inputs: string; rep: Representation }>();
  private deepBytes = 0;

  /**
   * The page for `key` whose content is determined by `inputs`; `render` draws it (HTML) when they changed.
   * `page` 1 is the letter's first page, built with the best compression.
   */
  async get(key: string, page: number, inputs: string, render: () => string): Promise<Representation> {
    return page === 1 ? this.firstPage(key, inputs, render) : this.deepPage(`${key}\u0000${page}`, inputs, render);
  }

  private firstPage(key: string, inputs: string, render: () => string): Promise<Representation> | Representation {
    let e = this.first.get(key);
    if (e?.ready && e.inputs === inputs) return e.ready;
    if (!e) {
      if (this.first.size >= MAX_FIRST_PAGES) this.first.clear();
      e = { inputs: '', ready: undefined, buildingInputs: undefined, building: undefined };
      this.first.set(key, e);
    }
    if (e.buildingInputs !== inputs || !e.building) {
      const entry = e;
      const p = Representation.build(render(), { contentType: HTML, cacheControl: PUBLIC_PAGE_CACHE, effort: 'best' });
      entry.buildingInputs = inputs;
      entry.building = p;
      p.then(
        (rep) => {
          // Only the newest build replaces what is served (an older one finishing late is dropped).
          if (entry.building !== p) return;
          entry.ready = rep;
          entry.inputs = inputs;
          entry.building = undefined;
          entry.buildingInputs = undefined;
        },
        () => {
          if (entry.building !== p) return;
          entry.building = undefined;
          entry.buildingInputs = undefined;
        },
      );
    }
    // Every request for these inputs shares the one build.
    return e.building!;
  }

  private deepPage(key: string, inputs: string, render: () => string): Representation {
    const hit = this.deep.get(key);
    if (hit && hit.inputs === inputs) {
      // Most recently used last: the map's order is the eviction order.
      this.deep.delete(key);
      this.deep.set(key, hit);
      return hit.rep;
    }
    if (hit) {
      this.deep.delete(key);
      this.deepBytes -= hit.rep.size;
    }
    const rep = Representation.lazy(render(), { contentType: HTML, cacheControl: PUBLIC_PAGE_CACHE, effort: 'fast' });
    this.deep.set(key, { inputs, rep });
    this.deepBytes += rep.size;
    // Compressed variants are added later and counted roughly: the raw size bounds them (they are smaller).
    while (this.deep.size > MAX_DEEP_PAGES || this.deepBytes * 2 > MAX_DEEP_BYTES) {
      const [oldest, v] = this.deep.entries().next().value as [string, { rep: Representation }];
      this.deep.delete(oldest);
      this.deepBytes -= v.rep.size;
    }
    return rep;
  }
}
