import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asciiDigits, nameKey, nameKeys, normaliseText, scriptOf, tokenize } from './normalise.ts';
import { prepareName } from './match.ts';

test('Arabic-keyboard letters fold to Persian in keys: ي ى → ی, ك → ک', () => {
  assert.equal(nameKey('علي كريمي'), nameKey('علی کریمی'));
  assert.equal(normaliseText('مصطفى'), 'مصطفی');
  assert.equal(normaliseText('ڪاظم'), 'کاظم');
});

test('heh and hamza forms fold: ة ۀ هٔ أ إ آ ؤ ئ, lone ء dropped', () => {
  assert.equal(normaliseText('فاطمة'), 'فاطمه');
  assert.equal(normaliseText('نامۀ'), 'نامه');
  assert.equal(normaliseText('نامهٔ'), 'نامه');
  assert.equal(normaliseText('أحمد'), 'احمد');
  assert.equal(normaliseText('إبراهیم'), 'ابراهیم');
  assert.equal(normaliseText('آرمان'), 'ارمان');
  assert.equal(normaliseText('مؤمن'), 'مومن');
  assert.equal(normaliseText('میرزائی'), 'میرزایی');
  assert.equal(normaliseText('جزء'), 'جز');
});

test('harakat, shadda and tatweel are dropped', () => {
  assert.equal(normaliseText('مُحَمَّد'), 'محمد');
  assert.equal(normaliseText('محـــمد'), 'محمد');
});

test('ZWNJ: dropped for the joined key, a token break for the spaced variant', () => {
  assert.equal(normaliseText('علی‌رضا', 'join'), 'علیرضا');
  assert.equal(normaliseText('علی‌رضا', 'space'), 'علی رضا');
  const [joined, spaced] = nameKeys('علی‌رضا');
  assert.equal(joined, 'علیرضا');
  assert.equal(spaced, 'علی رضا');
  assert.equal(nameKey('علی‌رضا'), nameKey('علیرضا'));
  assert.equal(nameKey('علی‌رضا'), nameKey('علی رضا'));
  assert.deepEqual(
    tokenize('علی‌رضا').map((t) => t.text),
    ['علی', 'رضا'],
  );
});

test('Persian and Arabic-Indic digits become ASCII', () => {
  assert.equal(asciiDigits('۱۴۰۲/۰۷/۱۲'), '1402/07/12');
  assert.equal(asciiDigits('٤٨'), '48');
  assert.equal(normaliseText('۴۸ نفر'), '48 نفر');
});

test('NFKC for keys: presentation forms from PDFs read as letters', () => {
  assert.equal(normaliseText('\uFEE3\uFEA4\uFEE4\uFEAA'), 'محمد'); // ﻣﺤﻤﺪ
  assert.equal(normaliseText('ﷲ'), 'الله');
});

test('Latin: case, diacritics, apostrophes and hyphens', () => {
  assert.equal(normaliseText('Ḥusayn'), 'husayn');
  assert.equal(normaliseText("Ja'far"), 'jafar');
  assert.equal(normaliseText('Ja’far'), 'jafar');
  assert.equal(normaliseText('Abdol-Karim'), 'abdol karim');
  assert.equal(normaliseText('ÉMILE Müller'), 'emile muller');
  assert.equal(nameKey('Mohammad Reza'), nameKey('Mohammadreza'));
});

test('invisible controls never count, and what a person typed is kept', () => {
  const typed = 'علي‌رضا\u200F كريمي';
  assert.equal(nameKey(typed), nameKey('علیرضا کریمی'));
  const p = prepareName(typed);
  assert.equal(p.raw, typed); // never altered
  assert.ok(typed.includes('\u200C') && typed.includes('ي'));
});

test('script detection', () => {
  assert.equal(scriptOf('محمد'), 'arab');
  assert.equal(scriptOf('mohammad'), 'latn');
  assert.equal(scriptOf('123'), 'other');
  assert.deepEqual(
    tokenize('Ali علی').map((t) => t.script),
    ['latn', 'arab'],
  );
});
