/**
 * A tiny HTML builder: every interpolated value is escaped unless it is already SafeHtml. Threat: a name or
 * a letter title carrying markup (stored XSS on the public list). SafeHtml is made only here: by html``, and by
 * trusted(), which only views/markdown.ts (our sanitising renderer) and the signatory list's fast path in
 * views/letter.ts may call (test/architecture.test.ts checks it).
 */
let make: (s: string) => SafeHtml;

export class SafeHtml {
  private constructor(readonly value: string) {}
  static {
    make = (s) => new SafeHtml(s);
  }
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/;
// biome-ignore lint/suspicious/noShadowRestrictedNames: the HTML escaper; the deprecated global escape() is never used
export function escape(s: string): string {
  // Most text has nothing to escape: a test is cheaper than a replace that copies the string.
  return SPECIAL.test(s) ? s.replace(/[&<>"']/g, (c) => ESC[c]!) : s;
}

type Value = SafeHtml | string | number | boolean | null | undefined | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  return escape(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return make(out);
}

/** Only for HTML we produced and escaped ourselves: Markdown with raw HTML disabled, the list's hand-built items. */
export function trusted(s: string): SafeHtml {
  return make(s);
}
