/**
 * UI languages and message formatting (@formatjs/intl). A letter may be written in any language; its page
 * chrome falls back to English where we have no catalogue yet.
 */
import { createIntl, createIntlCache, type IntlShape } from '@formatjs/intl';
import { en, type MessageKey } from './en.ts';
import { fa } from './fa.ts';
import { directionOf } from '../../core/text.ts';

export const CATALOGUES: Record<string, Record<MessageKey, string>> = { en, fa };
export const UI_LANGS = Object.keys(CATALOGUES);

const cache = createIntlCache();
const intls = new Map<string, IntlShape<string>>();

export interface T {
  lang: string;
  /** Language of the UI strings actually used (the page lang or the fallback). */
  uiLang: string;
  dir: 'rtl' | 'ltr';
  (key: MessageKey, values?: Record<string, string | number>): string;
  number(n: number): string;
  date(iso: string): string;
  country(code: string): string;
}

const translators = new Map<string, T>();

/** At most this many languages keep their translator and Intl objects (request data never grows them past it). */
const MAX_KEPT = 200;

/** True for a tag Intl accepts (a malformed one would make Intl throw a RangeError). */
function isLocale(lang: string): boolean {
  try {
    return Intl.getCanonicalLocales(lang).length === 1;
  } catch {
    return false;
  }
}

/**
 * One translator per language, built once: Intl objects are costly to create and pages need one per request. A tag
 * Intl refuses gets English formatting under its own name; past MAX_KEPT languages nothing more is kept.
 */
export function translator(lang: string): T {
  let t = translators.get(lang);
  if (!t) {
    t = makeTranslator(lang);
    if (translators.size < MAX_KEPT) translators.set(lang, t);
  }
  return t;
}

function makeTranslator(lang: string): T {
  const base = lang.split('-')[0] ?? lang;
  const uiLang = CATALOGUES[lang] ? lang : CATALOGUES[base] ? base : 'en';
  const locale = isLocale(lang) ? lang : 'en';
  const key = locale === lang ? lang : `${locale}|${uiLang}`;
  let intl = intls.get(key);
  if (!intl) {
    const keep = intls.size < MAX_KEPT;
    // The shared formatter cache grows per locale: only kept languages use it.
    intl = createIntl({ locale, messages: CATALOGUES[uiLang]!, onError: () => {} }, keep ? cache : createIntlCache());
    if (keep) intls.set(key, intl);
  }
  const i = intl;
  const dn = (() => {
    try {
      return new Intl.DisplayNames([locale, 'en'], { type: 'region' });
    } catch {
      return undefined;
    }
  })();
  // Messages without values and country names are the same every time: kept per translator (bounded by the
  // catalogue's keys and by the region codes asked for, a few hundred strings), as pages show them on every request.
  const plain = new Map<string, string>();
  // Compiled formats of the messages with values, per key. formatMessage memoises them too, but finds them again by
  // JSON-serialising the message, locale, formats and options on every call: that lookup cost more than the
  // formatting (a mail's three messages at each signing). This asks the same memoised factory with the same
  // arguments once per key, so the format, and so the text, is the one formatMessage would use. Anything unusual (a
  // key missing from the catalogue, a format that throws) goes through formatMessage and its fallbacks as before.
  const catalogue = CATALOGUES[uiLang]! as Record<string, string>;
  const compiled = new Map<string, { format(values: Record<string, string | number>): unknown }>();
  const formatted = (key: MessageKey, values: Record<string, string | number>): string => {
    let f = compiled.get(key);
    if (!f) {
      const message = Object.prototype.hasOwnProperty.call(catalogue, key) ? catalogue[key] : undefined;
      if (!message) return String(i.formatMessage({ id: key }, values));
      f = i.formatters.getMessageFormat(message, i.locale, i.formats, { formatters: i.formatters });
      compiled.set(key, f);
    }
    try {
      return String(f.format(values));
    } catch {
      return String(i.formatMessage({ id: key }, values));
    }
  };
  const t = ((key: MessageKey, values?: Record<string, string | number>) => {
    if (values) return formatted(key, values);
    let m = plain.get(key);
    if (m === undefined) {
      m = String(i.formatMessage({ id: key }));
      if (key in CATALOGUES[uiLang]!) plain.set(key, m);
    }
    return m;
  }) as T;
  t.lang = lang;
  t.uiLang = uiLang;
  t.dir = directionOf(lang);
  t.number = (n: number) => i.formatNumber(n);
  // 'long', not 'full': ICU's Persian-calendar full pattern has an odd order and a Latin comma.
  t.date = (iso: string) => i.formatDate(new Date(iso), { dateStyle: 'long' });
  const countries = new Map<string, string>();
  t.country = (code: string) => {
    let name = countries.get(code);
    if (name === undefined) {
      name = dn?.of(code) ?? code;
      if (countries.size < 1000) countries.set(code, name);
    }
    return name;
  };
  return t;
}

// Abuse and security: how many languages hold kept objects (the bounded-memory test reads it).
export function keptLanguages(): { translators: number; intls: number } {
  return { translators: translators.size, intls: intls.size };
}
