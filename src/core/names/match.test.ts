import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bandOf, compareNames, comparePeople, LIKELY_DUPLICATE, REVIEW } from './match.ts';

const score = (a: string, b: string) => compareNames(a, b).score;
const likely = (a: string, b: string) => score(a, b) >= LIKELY_DUPLICATE;

test('bands are exported and ordered', () => {
  assert.ok(REVIEW < LIKELY_DUPLICATE && LIKELY_DUPLICATE <= 1 && REVIEW > 0);
  assert.equal(bandOf(LIKELY_DUPLICATE), 'likely-duplicate');
  assert.equal(bandOf(REVIEW), 'review');
  assert.equal(bandOf(REVIEW - 0.01), 'different');
});

test('scores are in [0,1] and symmetric enough to rely on', () => {
  for (const [a, b] of [
    ['Mohammad Sharifi', 'محمد شریفی'],
    ['Hamid', 'Hamed'],
    ['', 'Ali'],
  ] as const) {
    const s = score(a, b);
    assert.ok(s >= 0 && s <= 1, `${a}/${b}: ${s}`);
    assert.ok(Math.abs(s - score(b, a)) < 0.05);
  }
});

test('hard negatives are never likely duplicates, in Latin, in Persian and across scripts', () => {
  const negatives: Array<[string, string]> = [
    ['Hamid', 'Hamed'],
    ['حمید', 'حامد'],
    ['حمید', 'Hamed'],
    ['Hamed', 'حمید'],
    ['Hamid Karimi', 'Hamed Karimi'],
    ['Karimi', 'Karami'],
    ['Ali Karimi', 'Ali Karami'],
    ['علی کریمی', 'علی کرمی'],
    ['علی کریمی', 'Ali Karami'],
    ['Hassan', 'Hossein'],
    ['Hassan Rezaei', 'Hossein Rezaei'],
    ['حسن رضایی', 'Hossein Rezaei'],
    ['Mohammad', 'Mahmoud'],
    ['Mohammad Ahmadi', 'Mahmoud Ahmadi'],
    ['محمد احمدی', 'محمود احمدی'],
    ['Mohammad Sharifi', 'Mohammadreza Sharifi'],
    ['Mohammad Sharifi', 'Mohammad Reza Sharifi'],
    ['محمد شریفی', 'محمدرضا شریفی'],
    ['محمد شریفی', 'Mohammadreza Sharifi'],
  ];
  for (const [a, b] of negatives) assert.ok(!likely(a, b), `${a} vs ${b} scored ${score(a, b)}`);
});

test('an extra given name is a review, not a duplicate; an honorific is nearly free', () => {
  assert.equal(compareNames('Mohammad Sharifi', 'Mohammad Reza Sharifi').band, 'review');
  assert.ok(likely('Seyed Mohammad Sharifi', 'Mohammad Sharifi'));
  assert.ok(likely('سید محمد شریفی', 'Mohammad Sharifi'));
});

test('spelling variants and the variant list match', () => {
  assert.ok(likely('Mohammad Sharifi', 'Muhammad Sharifi'));
  assert.ok(likely('Hossein Rezaei', 'Hussein Rezaie'));
  assert.ok(likely('Hasan Rezaee', 'Hassan Rezaei'));
  assert.ok(likely('Nasrollahi', 'Nasrullahi'));
  assert.ok(likely('Razzaghi', 'Razaqi'));
  assert.ok(likely('Ebrahim Nouri', 'Ibrahim Nouri'));
});

test('Arabic-keyboard letters and ZWNJ do not hide a duplicate', () => {
  assert.equal(score('علي كريمي', 'علی کریمی'), 1);
  assert.equal(score('علی‌رضا نصرالله‌ی', 'علیرضا نصراللهی'), 1);
  assert.ok(likely('علی‌رضا نصر اللهی', 'علیرضا نصراللهی'));
});

test('joined and split compounds match across scripts', () => {
  assert.ok(likely('Mohammadreza Sharifi', 'Mohammad Reza Sharifi'));
  assert.ok(likely('محمدرضا شریفی', 'Mohammad Reza Sharifi'));
  assert.ok(likely('پرویز حیدر زاده', 'Parviz Heydarzadeh'));
  assert.ok(likely('قربانعلی حسین نژاد', 'Ghorban Ali Hossein Nejad'));
  assert.ok(likely('Abdul Karim Ebrahimi', 'عبدالکریم ابراهیمی'));
});

test('order-insensitive alignment', () => {
  assert.ok(likely('Sharifi Mohammad', 'Mohammad Sharifi'));
  assert.ok(likely('Sharifi, Mohammad', 'محمد شریفی'));
});

test('cross-script pairs from real lists score high', () => {
  const pairs: Array<[string, string]> = [
    ['محمد رزاقی', 'Mohammad Razzaghi'],
    ['بتول سلطانی', 'Betul Sultani'],
    ['غلامعلی میرزائی', 'Gholam Ali Mirzaei'],
    ['عیسی آزاده', 'Issa Azadeh'],
    ['کبری خوشخوی', 'Kobra Khoshkhouy'],
    ['موسی دام رودی', 'Musa Dam Rudi'],
  ];
  for (const [fa, en] of pairs) assert.ok(score(fa, en) >= REVIEW, `${fa} / ${en}: ${score(fa, en)}`);
  // whole-string scoring would pair these; token scoring does not (research §1.5 caveat)
  assert.ok(!likely('محمود رزاقی', 'Mohammad Razzaghi'));
});

test('different people sharing a given name or a family name stay apart', () => {
  assert.ok(score('آن خدابنده', 'Masoud Khodabandeh') < REVIEW);
  assert.ok(score('Hassan Azizi', 'Hasan Shahbaz') < REVIEW);
  assert.ok(score('Ali Shirzad', 'Shirzad Jalili') < REVIEW);
});

test('comparePeople uses the best evidence: Persian script decides when both give it', () => {
  // the Latin names are identical but the Persian ones are two different names
  const a = { name: 'حمید کریمی', nameAlt: 'Hamid Karimi' };
  const b = { name: 'حامد کریمی', nameAlt: 'Hamid Karimi' };
  const r = comparePeople(a, b);
  assert.equal(r.via, 'same-script');
  assert.notEqual(r.band, 'likely-duplicate');
  // a second script bridges a person who typed only Latin with one who typed only Persian
  const c = comparePeople({ name: 'Mohammad Sharifi' }, { name: 'محمد شریفی', nameAlt: null });
  assert.equal(c.via, 'cross-script');
  assert.equal(c.band, 'likely-duplicate');
  const d = comparePeople({ name: 'Muhammad Sharifi' }, { name: 'Mohammad Sharifi', nameAlt: '' });
  assert.equal(d.via, 'latin');
  assert.equal(d.band, 'likely-duplicate');
});
