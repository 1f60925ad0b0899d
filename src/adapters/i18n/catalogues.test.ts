/**
 * Every catalogue has every key of English and nothing else; every message parses as ICU MessageFormat, uses the
 * same arguments as English, and gives each counted argument every plural form its language's CLDR rules have.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { CATALOGUES, FORMAT_LOCALES, setLanguageFallbacks, translator, uiLanguageOf } from './index.ts';
import { en } from './en.ts';

const KEYS = Object.keys(en).sort();

/** Argument names of a message, and the plural arguments with the selectors they give. */
function argumentsOf(ast: MessageFormatElement[], names = new Set<string>(), plurals: { name: string; options: string[] }[] = []) {
  for (const el of ast) {
    if (el.type === TYPE.argument || el.type === TYPE.number || el.type === TYPE.date || el.type === TYPE.time) names.add(el.value);
    if (el.type === TYPE.plural || el.type === TYPE.select) {
      names.add(el.value);
      if (el.type === TYPE.plural) plurals.push({ name: el.value, options: Object.keys(el.options) });
      for (const o of Object.values(el.options)) argumentsOf(o.value, names, plurals);
    }
    if (el.type === TYPE.tag) argumentsOf(el.children, names, plurals);
  }
  return { names, plurals };
}

/** The phrases with a number of things in them: a plural in every language. */
const COUNTED = ['letter.count', 'letter.hiddenNote', 'letter.removals.withdrawn', 'field.TOO_LONG', 'error.RATE_LIMITED', 'error.SERVER_BUSY'];

for (const [lang, catalogue] of Object.entries(CATALOGUES)) {
  test(`catalogue ${lang}: every key of en, no other, every message parses with en's arguments and all plural forms`, () => {
    assert.deepEqual(Object.keys(catalogue).sort(), KEYS, `${lang} has exactly the keys of en`);
    const categories = new Intl.PluralRules(FORMAT_LOCALES[lang] ?? lang).resolvedOptions().pluralCategories;
    for (const key of KEYS) {
      const message = (catalogue as Record<string, string>)[key]!;
      assert.ok(message.length > 0 || key === 'letter.hiddenNote', `${lang} ${key} is not empty`);
      let ast: MessageFormatElement[];
      try {
        ast = parse(message, { requiresOtherClause: true });
      } catch (e) {
        assert.fail(`${lang} ${key} does not parse: ${(e as Error).message}`);
      }
      const mine = argumentsOf(ast);
      const theirs = argumentsOf(parse((en as Record<string, string>)[key]!));
      assert.deepEqual([...mine.names].sort(), [...theirs.names].sort(), `${lang} ${key} has the arguments of en`);
      for (const p of mine.plurals) {
        for (const c of categories) assert.ok(p.options.includes(c), `${lang} ${key}: plural {${p.name}} lacks the CLDR form "${c}"`);
      }
      if (COUNTED.includes(key)) assert.ok(mine.plurals.length > 0, `${lang} ${key} is a plural`);
    }
  });
}

test('numbers and plural forms per language: Persian and Arabic digits, one and many', () => {
  const fa = translator('fa');
  assert.equal(fa('letter.hiddenNote', { count: 1 }), '۱ امضاکننده خواسته است نامش نمایش داده نشود.');
  assert.equal(fa('letter.hiddenNote', { count: 5 }), '۵ امضاکننده خواسته‌اند نامشان نمایش داده نشود.');
  assert.match(fa('letter.removals.withdrawn', { count: 1 }), /^۱ امضا را امضاکننده‌اش پس گرفته است\.$/);
  assert.match(fa('letter.removals.withdrawn', { count: 12 }), /^۱۲ امضا را امضاکنندگانشان پس گرفته‌اند\.$/);
  const ar = translator('ar');
  assert.equal(ar('letter.count', { count: 3 }), '٣ توقيعات');
  assert.equal(ar('letter.count', { count: 11 }), '١١ توقيعًا');
  assert.equal(ar('letter.count', { count: 2 }), 'توقيعان');
  assert.equal(ar.number(1405), '١٬٤٠٥');
  const ru = translator('ru');
  assert.deepEqual([1, 3, 5, 21].map((count) => ru('letter.count', { count })), ['1 подпись', '3 подписи', '5 подписей', '21 подпись']);
  assert.equal(translator('en')('error.RATE_LIMITED', { seconds: 1 }).includes('1 second '), true);
});

test('dates: Solar Hijri with Persian digits and the Persian comma; Arabic digits in Arabic', () => {
  const when = '2026-12-03T18:20:00.000Z';
  assert.equal(translator('fa').dateTime(when), '۱۲ آذر ۱۴۰۵ ساعت ۱۸:۲۰');
  assert.doesNotMatch(translator('fa').dateTime(when), /,/);
  assert.match(translator('ar').dateTime(when), /٢٠٢٦/);
  assert.match(translator('de').date(when), /3\. Dezember 2026/);
});

test('a language without a catalogue takes its fallback chain, then English; lang stays the page language', () => {
  try {
    setLanguageFallbacks({ ckb: ['fa', 'en'], lrc: ['xx', 'ar'] });
    const ckb = translator('ckb');
    assert.equal(ckb.lang, 'ckb');
    assert.equal(ckb.uiLang, 'fa');
    assert.equal(ckb.dir, 'rtl');
    assert.equal(ckb('letter.to'), 'خطاب به');
    assert.equal(uiLanguageOf('lrc'), 'ar', 'chain entries without a catalogue are skipped');
    assert.equal(uiLanguageOf('fa-AF'), 'fa', 'a regional tag takes its base language');
    assert.equal(uiLanguageOf('sw'), 'en');
    assert.equal(translator('sw').dir, 'ltr');
    assert.equal(translator('ur').dir, 'ltr', 'an RTL language shown in an English interface: the interface is LTR');
  } finally {
    setLanguageFallbacks({});
  }
});
