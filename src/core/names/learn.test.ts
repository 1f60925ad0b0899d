import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { alignPath, learnCorrespondences } from './learn.ts';
import { crossCost, useCorrespondences } from './cross.ts';
import { LEARNT_CORRESPONDENCES } from './learnt.ts';
import { tokenize } from './normalise.ts';

const VAV = 'و'; // the Persian letter vav

after(() => useCorrespondences(LEARNT_CORRESPONDENCES));

test('alignment path: each Persian letter with the Latin it spelled', () => {
  const path = alignPath('حسین', 'hossein')!;
  assert.deepEqual(path.map((s) => [s.key, s.latin]), [['^ح', 'h'], ['س', 's'], ['ی', 'ei'], ['ن$', 'n']]);
});

test('learning: a spelling the data uses often gets cheaper, a new one is proposed, none gets dearer; deterministic', () => {
  // medial و spelled o (curated 0.3) in every pair
  const pairs: Array<[string, string]> = [['کوروش', 'korosh'], ['نوری', 'nori'], ['موسوی', 'mosavi'], ['جوادی', 'jovadi'], ['بهروز', 'behroz'], ['روشن', 'roshan']];
  useCorrespondences(null);
  const before = crossCost('سوری', 'sori').cost; // curated costs alone
  const one = learnCorrespondences(pairs);
  const two = learnCorrespondences(pairs);
  assert.deepEqual(one, two);
  const o = one.table[VAV]!.find(([s]) => s === 'o')!;
  assert.ok(o[1] < 0.3, `و→o learnt ${o[1]}`);
  assert.ok(crossCost('سوری', 'sori').cost < before);
  for (const [s, c] of one.table[VAV]!) if (s === 'v') assert.equal(c, 0, 'a curated spelling is never made dearer');
  useCorrespondences(null);
  assert.equal(crossCost('سوری', 'sori').cost, before);
});

test('Urdu, Sorani and Hebrew words fold onto the Persian letters; Arabic and Urdu words are marked', () => {
  assert.deepEqual(tokenize('ملالہ یوسفزئی').map((t) => [t.text, !!t.arabicLang]), [['ملاله', true], ['یوسفزیی', false]]);
  assert.deepEqual(tokenize('شێرکۆ ڕێبوار').map((t) => t.text), ['شێرکۆ', 'رێبوار']);
  assert.deepEqual(tokenize('ئەحمەد').map((t) => t.text), ['ەحمەد']);
  assert.deepEqual(tokenize('גולדה מאיר').map((t) => [t.text, t.script, !!t.arabicLang]), [['گولده', 'arab', true], ['معیر', 'arab', true]]);
  assert.deepEqual(tokenize('فاطمة').map((t) => !!t.arabicLang), [true]);
  assert.deepEqual(tokenize('فاطمه').map((t) => !!t.arabicLang), [false]);
});

test('learnt.ts is what scripts/learn-names.ts makes from the data (reproducible)', async () => {
  const { goldPairs } = await import('../../../scripts/learn-names.ts');
  const { table } = learnCorrespondences(goldPairs());
  assert.deepEqual(JSON.parse(JSON.stringify(table)), JSON.parse(JSON.stringify(LEARNT_CORRESPONDENCES)));
});
