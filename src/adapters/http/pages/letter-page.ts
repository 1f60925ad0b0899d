/**
 * The letter page, the page a viral letter's audience reloads. Threat: tens of thousands of requests a second for
 * one letter. Everything on it but the visitor's CSRF token and the list section is the same for every visitor of
 * one language: that frame is rendered once per change of its inputs (the letter, the count, the removal numbers,
 * signed in or not) and each request splices in its token and its page of names.
 */
import { escape, type SafeHtml } from '../views/html.ts';
import { slot, slotHtml, Spliced } from '../views/splice.ts';
import type { LetterWithText } from '../../../core/model.ts';
import type { Removals } from '../../../core/log-ports.ts';
import type { T } from '../../i18n/index.ts';

/** Frames kept: one per (letter, page language, signed in or not). Past this many they are all dropped and re-rendered. */
const MAX_FRAMES = 500;

interface Frame {
  letter: LetterWithText;
  count: number;
  removals: Removals | undefined;
  page: Spliced;
}

export const CSRF_SLOT = slot('csrf');
export const LIST_SLOT = slotHtml('list');

export class LetterFrames {
  private frames = new Map<string, Frame>();

  /**
   * The page with this request's token and list. `render` draws the frame with CSRF_SLOT for the token and
   * LIST_SLOT for the list section; it runs only when an input changed. Inputs are compared by identity: the
   * letter and removals come from PublicReads, which returns the same objects until it reads them again.
   */
  page(
    key: { letter: LetterWithText; t: T; count: number; removals: Removals | undefined; signedIn: boolean },
    render: () => string,
    parts: { csrf: string; list: SafeHtml },
  ): string {
    const k = `${key.letter.id}\u0000${key.t.lang}\u0000${key.signedIn ? 1 : 0}`;
    let f = this.frames.get(k);
    if (!f || f.letter !== key.letter || f.count !== key.count || f.removals !== key.removals) {
      if (this.frames.size >= MAX_FRAMES) this.frames.clear();
      f = { letter: key.letter, count: key.count, removals: key.removals, page: new Spliced(render()) };
      this.frames.set(k, f);
    }
    return f.page.fill({ csrf: escape(parts.csrf), list: parts.list.value });
  }
}
