/**
 * The public letter page, the page a viral letter's audience loads and reloads. Threat: tens of thousands of
 * requests a second for one letter. It carries nothing of the visitor (no CSRF token, no session: forms are
 * protected by cross-origin checks, cross-origin.ts), so each (letter, language, list page) is one set of bytes for
 * everyone, sent with a strong ETag and short shared caching, so that a CDN can serve it too.
 *
 * A page is a frame (the letter, the count, the sign form: the same for every list page of a language) around its
 * list section. The frame is drawn and compressed once per change of what it shows; a list section is drawn when its
 * page is asked for. The first page (what nearly everyone loads) is then compressed whole at high settings (gzip and
 * brotli), off the event loop, once per change: requests arriving meanwhile wait for that version (about 10 ms),
 * since a change made in this process must show at once. Deeper pages are assembled as bytes and as gzip from the
 * frame's precompressed parts (GzipFrame: only the list section is compressed per page) and kept in a bounded cache.
 */
import { createHash } from 'node:crypto';
import { GzipFrame, Representation } from './representations.ts';
import { LIST_SLOT } from '../views/letter.ts';

const MAX_FRAMES = 1000;
const MAX_DEEP_PAGES = 1000;
const MAX_DEEP_BYTES = 32 * 1024 * 1024;

/**
 * Shared caches (a CDN) keep a page 5 s and serve it stale for 30 s more while they fetch the next one. Browsers keep
 * it but revalidate on every load (max-age=0): a 304 on its ETag costs the origin little, and a person who has just
 * confirmed their signature sees the new count at once, not their own cached copy. Counts are cached 2 s in
 * the process anyway.
 */
export const PUBLIC_PAGE_CACHE = 'public, max-age=0, s-maxage=5, stale-while-revalidate=30';
const HTML = 'text/html; charset=utf-8';
const OPTS = { contentType: HTML, cacheControl: PUBLIC_PAGE_CACHE } as const;
/** Where the list section goes in a drawn frame (views/letter.ts). */
const MARK = LIST_SLOT.value;

/**
 * A short fingerprint of a value's content, kept per object. PublicReads re-reads the letter and its removal numbers
 * every second as new objects with (mostly) the same content: comparing content, not identity, keeps the page from
 * being drawn and compressed again every second for nothing.
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

interface Frame {
  inputs: string;
  gz: GzipFrame;
  tag: string;
  /** The first page: the version being built for these inputs, then built. */
  first: Promise<Representation> | undefined;
  /** The first page once built. */
  ready: Representation | undefined;
}

export interface PageDraw {
  /** The page with LIST_SLOT in place of the list section. */
  frame: () => string;
  /** The list section of the page asked for. */
  list: () => string;
}

export class LetterPages {
  private frames = new Map<string, Frame>();
  private deep = new Map<string, { inputs: string; rep: Representation }>();
  private deepBytes = 0;

  /**
   * The page `page` of the letter page `key` (letter and language), whose content is determined by `inputs`
   * (everything it shows but the page number).
   */
  /** The page if it is ready for these inputs (the hot path: no drawing functions made per request). */
  peek(key: string, page: number, inputs: string): Representation | undefined {
    const f = this.frames.get(key);
    if (!f || f.inputs !== inputs) return undefined;
    if (page === 1) return f.ready;
    const hit = this.deep.get(`${key}\u0000${page}`);
    return hit && hit.inputs === inputs ? hit.rep : undefined;
  }

  async get(key: string, page: number, inputs: string, draw: PageDraw): Promise<Representation> {
    let f = this.frames.get(key);
    if (!f || f.inputs !== inputs) {
      const drawn = draw.frame();
      const at = drawn.indexOf(MARK);
      // Exactly one slot, or the page cannot be assembled (never expected; drawn whole then, still correct).
      if (at < 0 || drawn.indexOf(MARK, at + 1) >= 0) return Representation.lazy(drawn.split(MARK).join(draw.list()), { ...OPTS, effort: 'fast' });
      if (this.frames.size >= MAX_FRAMES) this.frames.clear();
      const head = drawn.slice(0, at);
      const tail = drawn.slice(at + MARK.length);
      f = { inputs, gz: new GzipFrame(head, tail), tag: createHash('sha1').update(head).update('\u0001').update(tail).digest('base64url'), first: undefined, ready: undefined };
      this.frames.set(key, f);
    }
    if (page === 1) {
      let first = f.first;
      if (!first) {
        const frame = f;
        first = Representation.build(frame.gz.head + draw.list() + frame.gz.tail, { ...OPTS, effort: 'best' });
        frame.first = first;
        first.then(
          (rep) => {
            if (frame.first === first) frame.ready = rep;
          },
          () => {
            // A failed build is tried again by the next request.
            if (frame.first === first) frame.first = undefined;
          },
        );
      }
      return first;
    }
    return this.deepPage(f, `${key}\u0000${page}`, inputs, draw);
  }

  private deepPage(f: Frame, key: string, inputs: string, draw: PageDraw): Representation {
    const hit = this.deep.get(key);
    if (hit && hit.inputs === inputs) {
      // Most recently used last: the map's order is the eviction order.
      this.deep.delete(key);
      this.deep.set(key, hit);
      return hit.rep;
    }
    if (hit) {
      this.deep.delete(key);
      this.deepBytes -= hit.rep.bytes;
    }
    const list = draw.list();
    // The ETag: the frame's content and this list section's, hashed (the same bytes give the same tag everywhere).
    const tag = createHash('sha1').update(f.tag).update(list).digest('base64url');
    const rep = Representation.assembled(f.gz, list, tag, { ...OPTS, effort: 'fast' });
    this.deep.set(key, { inputs, rep });
    this.deepBytes += rep.bytes;
    while (this.deep.size > MAX_DEEP_PAGES || this.deepBytes > MAX_DEEP_BYTES) {
      const [oldest, v] = this.deep.entries().next().value as [string, { rep: Representation }];
      this.deep.delete(oldest);
      this.deepBytes -= v.rep.bytes;
    }
    return rep;
  }
}
