/**
 * A tiny HTML builder: every interpolated value is escaped unless it is already SafeHtml. Threat: a name or
 * a letter title carrying markup (stored XSS on the public list). There is no way to splice a raw string.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/;
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
  return new SafeHtml(out);
}

/** Only for HTML produced by our own sanitising renderer (Markdown with raw HTML disabled). */
export function trusted(s: string): SafeHtml {
  return new SafeHtml(s);
}
