import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyseImport, findClaimedCount, isDateLine, nameFromLine, parseLetterText, toImportLetterInput } from './index.ts';

// tests run from the repository root; shared data lives beside it
const seed = readFileSync('../shared/fixtures/seed-letter.txt', 'utf8');

/** The 46 people of the seed, checked by hand. */
const SEED_PAIRS: Array<[string, string]> = [
  ['آن خدابنده', 'Anne Khodabandeh'], ['احسان بیدی', 'Ehsan Bidi'], ['ادوارد ترمادو', 'Edward Termado'],
  ['بتول سلطانی', 'Betul Sultani'], ['پرویز حیدر زاده', 'Parviz Heydarzadeh'], ['حسن حیرانی', 'Hassan Heirani'],
  ['حسن شهباز', 'Hasan Shahbaz'], ['حسن عزیزی', 'Hassan Azizi'], ['حمید رضا بی کس', 'Hamid Reza Bikas'],
  ['حمید رضا سیستانی', 'Hamid Reza Sistani'], ['حمیرا محمد نژاد', 'Homeyra Mohammad Nejad'],
  ['رحمان محمدیان', 'Rahman Mohammadian'], ['رضا صادقی جبلی', 'Reza Sadeghi Jebelli'], ['زهرا معینی', 'Zahra Moeini'],
  ['سعید ناصری', 'Saeed Naseri'], ['شهروز تاج بخش', 'Shahrouz Tajbakhsh'], ['شیرزاد جلیلی', 'Shirzad Jalili'],
  ['صبا شکر بیگی', 'Saba Shakar Beygi'], ['عادل اعظمی', 'Adel Aazami'], ['عبدالکریم ابراهیمی', 'Abdul Karim Ebrahimi'],
  ['علی اکبر راستگو', 'Ali Akbar Rastgou'], ['علی جهانی', 'Ali Jahani'], ['علی شیزاد', 'Ali Shirzad'],
  ['علی هاجری', 'Ali Hajari'], ['علیرضا نصر اللهی', 'Alireza Nasrollahi'], ['عیسی آزاده', 'Issa Azadeh'],
  ['غفور فتاحیان', 'Ghafour Fattahian'], ['غلامرضا شکری', 'Gholamreza Shakari'], ['غلامعلی میرزائی', 'Gholam Ali Mirzaei'],
  ['قربانعلی حسین نژاد', 'Ghorban Ali Hossein Nejad'], ['کبری خوشخوی', 'Kobra Khoshkhouy'], ['کریم غلامی', 'Karim Gholami'],
  ['مالک بیت مشعل', 'Malek Beyte Mashaal'], ['محمد رزاقی', 'Mohammad Razzaghi'], ['محمد عظیم میش مست', 'Mohammad Azim Mish Mast'],
  ['محمد کرمی', 'Mohammad Karami'], ['محمود سپاهی', 'Mahmoud Sepahi'], ['مسعود خدابنده', 'Masoud Khodabandeh'],
  ['منصور نظری', 'Mansour Nazari'], ['مهدی خوشخال', 'Mehdi Khoshhal'], ['مهدی سجودی', 'Mehdi Sujoudi'],
  ['موسی دام رودی', 'Musa Dam Rudi'], ['میر باقر صداقی', 'Mir Bagher Sadaghi'], ['نادر کشتکار', 'Nader Keshtkar'],
  ['هادی ثانی', 'Hadi Sani'], ['همایون کهزادی', 'Homayoun Kohzadi'],
];

test('seed letter: two language blocks with their parts', () => {
  const p = parseLetterText(seed);
  assert.deepEqual(p.versions.map((v) => v.lang), ['fa', 'en']);
  const [fa, en] = p.versions;
  assert.equal(fa!.title, 'نامۀ 48 نفر از جداشدگان سازمان مجاهدین به رئیس جمهور آلبانی');
  assert.match(fa!.salutation!, /^جناب آقای ایلیر متا/);
  assert.equal(fa!.date, '10 اکتبر 2019');
  assert.match(fa!.body, /^ما گروهی از اعضا/);
  assert.equal(en!.title, null); // the English block has no heading
  assert.equal(en!.salutation, 'Honorable President of Albania, Mr. Ilir Meta');
  assert.equal(en!.date, '10\u00A0 Octobre 2019'); // kept as typed, no-break space included
  assert.match(en!.body, /^We are a group of former MEK members/);
  assert.equal(fa!.signatories.length, 48);
  assert.equal(en!.signatories.length, 48);
  assert.equal(fa!.signatories[0], 'آن خدابنده');
  assert.equal(en!.signatories[47], 'Zahra Moeini');
  assert.equal(p.claimedCount, 48);
});

test('seed letter: 48 claimed, 48 listed per language, 46 distinct, both duplicates, all 46 pairs right', () => {
  const a = analyseImport(parseLetterText(seed));
  assert.deepEqual(a.languages, ['fa', 'en']);
  assert.equal(a.claimedCount, 48);
  assert.deepEqual(a.listed, { fa: 48, en: 48 });
  assert.equal(a.distinct, 46);
  assert.deepEqual(a.duplicates, {
    fa: [['علیرضا نصر اللهی', 'علیرضا نصر اللهی'], ['محمود سپاهی', 'محمود سپاهی']],
    en: [['Alireza Nasrollahi', 'Alireza Nasrollahi'], ['Mahmoud Sepahi', 'Mahmoud Sepahi']],
  });
  assert.deepEqual(a.unpaired, { fa: [], en: [] });
  assert.equal(a.pairs.length, 46);
  assert.deepEqual(
    a.pairs.map((p) => `${p[0]} | ${p[1]}`).sort(),
    SEED_PAIRS.map(([f, e]) => `${f} | ${e}`).sort(),
  );
  assert.ok(a.warnings.some((w) => w.includes('claims 48') && w.includes('46 distinct')));
});

test('ImportLetterInput: each person once with both names, versions with their text', () => {
  const parsed = parseLetterText(seed);
  const input = toImportLetterInput(parsed, analyseImport(parsed));
  assert.equal(input.people.length, 46);
  assert.equal(input.claimedCount, 48);
  assert.deepEqual(input.versions.map((v) => v.lang), ['fa', 'en']);
  const razzaghi = input.people.find((p) => p.name === 'محمد رزاقی');
  assert.deepEqual(razzaghi, { name: 'محمد رزاقی', lang: 'fa', nameAlt: 'Mohammad Razzaghi', altLang: 'en' });
});

test('claimed count: Persian and Arabic-Indic digits, English phrasing, none', () => {
  assert.equal(findClaimedCount('نامۀ ۴۸ نفر از فعالان'), 48);
  assert.equal(findClaimedCount('بیانیهٔ ١٢٠ تن از نویسندگان'), 120);
  assert.equal(findClaimedCount('An open letter signed by 1,250 scholars'), 1250);
  assert.equal(findClaimedCount('A letter from 75 former members'), 75);
  assert.equal(findClaimedCount('An open letter to the council'), null);
  assert.equal(findClaimedCount('10 October 2019'), null);
});

test('dates and names are recognised by shape', () => {
  assert.ok(isDateLine('10 اکتبر 2019'));
  assert.ok(isDateLine('۱۲ مهر ۱۴۰۲'));
  assert.ok(isDateLine('2019-10-10'));
  assert.ok(isDateLine('October 10, 2019'));
  assert.ok(!isDateLine('We were there in 2019 and saw what happened to all of us there.'));
  assert.equal(nameFromLine('12. Ali Rezaei'), 'Ali Rezaei');
  assert.equal(nameFromLine('۱۲- علی رضایی'), 'علی رضایی');
  assert.equal(nameFromLine('Shirin Ebadi, lawyer'), 'Shirin Ebadi');
  assert.equal(nameFromLine('We are a group of former members.'), null);
  assert.equal(nameFromLine('با درود؛'), null);
});

test('another layout: English only, numbered list, title and "Dear", no stated count', () => {
  const text = [
    'Open letter on the closure of the library',
    '',
    'Dear Mayor,',
    '',
    'We, the undersigned, ask you to keep the library open. It serves thousands of readers.',
    'Please reconsider.',
    '',
    'March 3, 2024',
    '',
    '1. Jane Doe',
    '2. John Smith',
    '3. Maryam Alipour',
    '4. Jane Doe',
  ].join('\n');
  const p = parseLetterText(text);
  assert.equal(p.versions.length, 1);
  const v = p.versions[0]!;
  assert.equal(v.lang, 'en');
  assert.equal(v.title, 'Open letter on the closure of the library');
  assert.equal(v.salutation, 'Dear Mayor,');
  assert.equal(v.date, 'March 3, 2024');
  assert.deepEqual(v.signatories, ['Jane Doe', 'John Smith', 'Maryam Alipour', 'Jane Doe']);
  assert.equal(p.claimedCount, null);
  const a = analyseImport(p);
  assert.equal(a.claimedCount, null);
  assert.equal(a.distinct, 3);
  assert.deepEqual(a.duplicates.en, [['Jane Doe', 'Jane Doe']]);
  assert.deepEqual(a.pairs, []);
});

test('a large input reports progress and an empty one is harmless', () => {
  const names = Array.from({ length: 12_000 }, (_, i) => `Person Number${String.fromCharCode(97 + (i % 26))}${i}`);
  const calls: string[] = [];
  parseLetterText(['Title line', '', ...names].join('\n'), { onProgress: (_d, _t, phase) => calls.push(phase) });
  assert.ok(calls.length >= 2);
  const empty = parseLetterText('   \n\n');
  assert.deepEqual(empty.versions, []);
  assert.equal(empty.claimedCount, null);
  assert.equal(analyseImport(empty).distinct, 0);
});

test('the addressee is one clean line of the salutation; a bare greeting names nobody', async () => {
  const { addresseeFromSalutation, titleFromBody } = await import('./index.ts');
  assert.equal(addresseeFromSalutation('جناب آقای ایلیر متا Ilir Meta رئیس جمهور محترم آلبانی\nبا درود؛'), 'جناب آقای ایلیر متا Ilir Meta رئیس جمهور محترم آلبانی');
  assert.equal(addresseeFromSalutation('Dear Mayor,'), 'Mayor');
  assert.equal(addresseeFromSalutation('Honorable President of Albania, Mr. Ilir Meta'), 'Honorable President of Albania, Mr. Ilir Meta');
  assert.equal(addresseeFromSalutation('با درود؛'), null);
  assert.equal(addresseeFromSalutation('Dear colleagues,'), null);
  assert.equal(addresseeFromSalutation(null), null);
  assert.equal(titleFromBody('We ask you to act. Now.\n\nThe neighbours of Elm Street.'), 'The neighbours of Elm Street');
  assert.equal(titleFromBody('We ask you to act. Now.'), 'We ask you to act');
});

test('seed letter as a draft: titles from the text for both languages, addressees per language, warnings say so', () => {
  const parsed = parseLetterText(seed);
  const input = toImportLetterInput(parsed, analyseImport(parsed));
  const [fa, en] = input.versions;
  assert.equal(fa!.title, 'نامۀ 48 نفر از جداشدگان سازمان مجاهدین به رئیس جمهور آلبانی');
  assert.equal(fa!.titleFromBody, false);
  assert.equal(en!.title, 'Former MKO Members and Officials (Rajavi Cult) In various European countries including Albania');
  assert.equal(en!.titleFromBody, true);
  assert.equal(fa!.addressee, 'جناب آقای ایلیر متا Ilir Meta رئیس جمهور محترم آلبانی');
  assert.equal(en!.addressee, 'Honorable President of Albania, Mr. Ilir Meta');
  assert.ok(input.warnings.some((w) => w.includes("'en' version has no heading")));
  assert.ok(!input.warnings.some((w) => w.includes('No addressee')));
});
