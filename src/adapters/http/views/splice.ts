/**
 * Pages rendered once and served many times with a few per-request parts (a visitor's CSRF token, the list of the
 * page asked for). The page is rendered with markers in the places of those parts, cut at the markers, and joined
 * with each request's parts. A marker holds a per-process random nonce and a control character: escaped user text
 * cannot produce one (and typed text may not hold control characters at all).
 */
import { randomBytes } from 'node:crypto';
import { SafeHtml } from './html.ts';

const NONCE = randomBytes(12).toString('base64url');

/** The marker for the part named `name`, to put where it goes when rendering the template. */
export function slot(name: string): string {
  return `\u0001${NONCE}:${name}\u0001`;
}

/** As SafeHtml, for places that take markup. */
export function slotHtml(name: string): SafeHtml {
  return new SafeHtml(slot(name));
}

const SPLIT = new RegExp(`\u0001${NONCE}:([a-z]+)\u0001`);

/** A rendered page cut at its markers: even indexes are text, odd ones the names of the parts. */
export class Spliced {
  private readonly pieces: string[];
  constructor(rendered: string) {
    this.pieces = rendered.split(SPLIT);
  }

  /** The page with each part filled in (a part missing from `parts` is left empty). */
  fill(parts: Record<string, string>): string {
    const p = this.pieces;
    let out = p[0]!;
    for (let i = 1; i < p.length; i += 2) out += (parts[p[i]!] ?? '') + p[i + 1]!;
    return out;
  }
}
