/**
 * UI languages and message formatting (@formatjs/intl). A letter may be written in any language; a page in a
 * language without a catalogue gets the interface of its fallback chain (UNDERSIGNED_LANG_FALLBACK, then English),
 * and says so: `uiLang` and `dir` are those of the strings shown, `lang` is the page's (its URLs).
 */
import { createIntl, createIntlCache, type IntlShape } from '@formatjs/intl';
import { en, type MessageKey } from './en.ts';
import { fa } from './fa.ts';
import { ar } from './ar.ts';
import { fr } from './fr.ts';
import { de } from './de.ts';
import { es } from './es.ts';
import { tr } from './tr.ts';
import { ru } from './ru.ts';
import { directionOf } from '../../core/text.ts';

export const CATALOGUES: Record<string, Record<MessageKey, string>> = { en, fa, ar, fr, de, es, tr, ru };
export const UI_LANGS = Object.keys(CATALOGUES);

/**
 * The locale each catalogue formats numbers and dates in, where the bare tag is not what its readers expect:
 * Arabic with Arabic-Indic digits (CLDR's default for `ar` is Latin digits). `fa` already has the Solar Hijri
 * calendar and Persian digits.
 */
export const FORMAT_LOCALES: Record<string, string> = { ar: 'ar-u-nu-arab' };

const cache = createIntlCache();
let fallbacks: Record<string, readonly string[]> = {};

export interface T {
  /** The page language (its URLs and the letter version shown). */
  lang: string;
  /** Language of the UI strings actually used (the page lang or its fallback); the chrome's `lang` attribute. */
  uiLang: string;
  /** Direction of the UI strings (of uiLang). */
  dir: 'rtl' | 'ltr';
  /** The locale numbers and dates are formatted in (uiLang, with its numbering system). */
  locale: string;
  (key: MessageKey, values?: Record<string, string | number>): string;
  number(n: number): string;
  date(iso: string): string;
  /** Date and time of day (UTC), as mails and receipts show them. */
  dateTime(iso: string): string;
  country(code: string): string;
}

const translators = new Map<string, T>();

/**
 * Sets the fallback chains (config.langFallback, from UNDERSIGNED_LANG_FALLBACK): for a page language with no
 * catalogue, the languages tried in order; English is always the last resort.
 */
export function setLanguageFallbacks(chains: Record<string, readonly string[]>): void {
  fallbacks = { ...chains };
  translators.clear();
}

/** The catalogue a page language gets: its own, its base language's, its fallback chain's first, or English. */
export function uiLanguageOf(lang: string): string {
  const base = lang.split('-')[0] ?? lang;
  const tried = [lang, base, ...(fallbacks[lang] ?? []), ...(fallbacks[base] ?? [])];
  for (const l of tried) {
    if (CATALOGUES[l]) return l;
    const b = l.split('-')[0] ?? l;
    if (CATALOGUES[b]) return b;
  }
  return 'en';
}

/** One translator per language, built once: Intl objects are costly to create and pages need one per request. */
export function translator(lang: string): T {
  let t = translators.get(lang);
  if (!t) {
    t = makeTranslator(lang);
    if (translators.size < 200) translators.set(lang, t);
  }
  return t;
}

const intls = new Map<string, IntlShape<string>>();
function intlOf(uiLang: string): IntlShape<string> {
  let intl = intls.get(uiLang);
  if (!intl) {
    intl = createIntl({ locale: FORMAT_LOCALES[uiLang] ?? uiLang, messages: CATALOGUES[uiLang]!, onError: () => {} }, cache);
    intls.set(uiLang, intl);
  }
  return intl;
}

function makeTranslator(lang: string): T {
  const uiLang = uiLanguageOf(lang);
  // Plural rules, digits and calendar follow the catalogue's language: its sentences are the ones being formatted.
  const i = intlOf(uiLang);
  const locale = FORMAT_LOCALES[uiLang] ?? uiLang;
  const dn = (() => {
    try {
      return new Intl.DisplayNames([uiLang, 'en'], { type: 'region' });
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
  // A number given for a plain placeholder (`{count}`) is written as a number of the language (its digits and
  // grouping), as `#` in a plural is: the placeholder is read as `{count, number}`. Callers pass counts as numbers,
  // never as formatted text, so a message that is a plural in one language and plain in another is right in both.
  const formatted = (key: MessageKey, values: Record<string, string | number>): string => {
    const numeric = Object.keys(values).filter((k) => typeof values[k] === 'number');
    const id = numeric.length ? `${key}|${numeric.join(',')}` : key;
    let f = compiled.get(id);
    if (!f) {
      const message = Object.hasOwn(catalogue, key) ? catalogue[key] : undefined;
      if (!message) return String(i.formatMessage({ id: key }, values));
      const source = numeric.reduce((m, name) => m.replaceAll(`{${name}}`, `{${name}, number}`), message);
      f = i.formatters.getMessageFormat(source, i.locale, i.formats, { formatters: i.formatters });
      compiled.set(id, f);
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
      if (key in catalogue) plain.set(key, m);
    }
    return m;
  }) as T;
  t.lang = lang;
  t.uiLang = uiLang;
  t.dir = directionOf(uiLang);
  t.locale = locale;
  t.number = (n: number) => i.formatNumber(n);
  // 'long', not 'full': ICU's Persian-calendar full pattern has an odd order and a Latin comma.
  t.date = (iso: string) => i.formatDate(new Date(iso), { dateStyle: 'long' });
  const dt = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  t.dateTime = (iso: string) => dt.format(new Date(iso)).replace(/, (?=\S)/u, uiLang === 'fa' || uiLang === 'ar' ? '، ' : ', ');
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

/** How many languages hold kept objects (the bounded-memory test reads it). */
export function keptLanguages(): { translators: number; intls: number } {
  return { translators: translators.size, intls: intls.size };
}
