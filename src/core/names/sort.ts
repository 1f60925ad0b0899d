/**
 * Sorting names as each language sorts. Intl.Collator('fa') in Node 20 (full ICU) follows CLDR: آ before ا,
 * پ چ ژ گ in place, و before ه (research §2.2). Plain .sort() is code-point order and puts پ چ ژ ک گ ی
 * after ه/و, the classic complaint. Different code points can compare equal (ي = ی), so a code-point
 * tie-break keeps the order deterministic whatever the input order.
 */

const collators = new Map<string, Intl.Collator>();

function collatorFor(locale: string): Intl.Collator {
  let c = collators.get(locale);
  if (!c) {
    c = new Intl.Collator(locale, { numeric: true });
    collators.set(locale, c);
  }
  return c;
}

/** A comparator for `locale`: collation first, then code points, so equal-looking names order stably. */
export function nameComparator(locale: string): (a: string, b: string) => number {
  const c = collatorFor(locale);
  return (a, b) => c.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Returns a new array sorted for `locale`; the input is not modified and no name is altered. */
export function sortNames(names: readonly string[], locale: string): string[] {
  return [...names].sort(nameComparator(locale));
}

export type CollationCheck = { ok: true; locale: string } | { ok: false; message: string };

/**
 * Start-up self-check that Persian collation is really available. A small-icu or system-ICU build silently
 * falls back to root order (ه before و), which would publish signatory lists in the wrong order.
 */
export function checkCollation(): CollationCheck {
  let resolved = '';
  try {
    const c = new Intl.Collator('fa');
    resolved = c.resolvedOptions().locale;
    const vBeforeH = c.compare('و', 'ه') < 0;
    const pAfterB = c.compare('پ', 'ب') > 0 && c.compare('پ', 'ت') < 0;
    if (resolved.split('-')[0] === 'fa' && vBeforeH && pAfterB) return { ok: true, locale: resolved };
  } catch {
    // fall through to the message below
  }
  return {
    ok: false,
    message:
      `Persian collation is not available in this Node.js build (Intl.Collator('fa') resolved to ` +
      `'${resolved || 'nothing'}'): Persian names would be sorted in the wrong order. ` +
      `Use an official Node.js build with full ICU (the default since Node 13), or start Node with ` +
      `--icu-data-dir pointing to full ICU data.`,
  };
}
