import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hungarian, maxGainMatching } from './assign.ts';
import { blockingKeys, latinSkeleton, persianSkeleton } from './blocking.ts';
import { clusterPeople, pairLists } from './pair.ts';

test('blocking: a Persian name and its romanisation share a key', () => {
  const share = (a: string, b: string) => {
    const ka = new Set(blockingKeys(a));
    return blockingKeys(b).some((k) => ka.has(k));
  };
  assert.equal(persianSkeleton('محمد'), latinSkeleton('Mohammad'));
  assert.equal(persianSkeleton('رزاقی'), latinSkeleton('Razzaghi'));
  assert.ok(share('محمد رزاقی', 'Mohammad Razzaghi'));
  assert.ok(share('Mohammadreza Sharifi', 'Mohammad Reza Sharifi')); // compounds
  assert.ok(share('علی‌رضا نصر اللهی', 'Alireza Nasrollahi')); // ZWNJ and two joins
  assert.ok(share('Seyed Ali Mousavi', 'علی موسوی')); // optional honorific
  assert.ok(share('اسحاق ویسی', 'Eshagh Veisi')); // s|h read as two letters
  assert.ok(share('صالح کریمی', 'Saleh Karimi')); // final h as ح
  assert.ok(share('علي كريمي', 'علی کریمی')); // Arabic keyboard
  assert.ok(!share('Mohammad Sharifi', 'Ali Karimi'));
});

test('blocking keys are few, short and deterministic', () => {
  const keys = blockingKeys('Mohammad Razzaghi', 'محمد رزاقی');
  assert.ok(keys.length > 0 && keys.length <= 12, String(keys));
  for (const k of keys) assert.ok(k.length <= 24);
  assert.deepEqual(keys, blockingKeys('Mohammad Razzaghi', 'محمد رزاقی'));
});

test('hungarian finds the optimal assignment (brute force check)', () => {
  const cost = [
    [4, 1, 3],
    [2, 0, 5],
    [3, 2, 2],
  ];
  const asg = hungarian(cost, 3, 3);
  const total = [...asg].reduce((s, c, r) => s + cost[r]![c]!, 0);
  let best = Infinity;
  for (const p of [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]]) {
    best = Math.min(best, p.reduce((s, c, r) => s + cost[r]![c]!, 0));
  }
  assert.equal(total, best);
  assert.equal(new Set(asg).size, 3);
});

test('optimal assignment beats greedy: a name keeps its only good partner', () => {
  // greedy would give a0-b0 (0.9) and leave a1 with nothing; optimal is a0-b1, a1-b0
  const m = maxGainMatching([
    { a: 0, b: 0, gain: 0.9 },
    { a: 0, b: 1, gain: 0.85 },
    { a: 1, b: 0, gain: 0.8 },
  ]);
  assert.deepEqual(m.sort(), [
    [0, 1],
    [1, 0],
  ]);
});

test('pairLists: separately sorted lists, duplicates grouped first, unpaired reported', () => {
  const fa = ['محمد رزاقی', 'حسن عزیزی', 'محمود سپاهی', 'محمود سپاهی', 'زهرا معینی', 'نادر کشتکار'];
  const en = ['Hassan Azizi', 'Mahmoud Sepahi', 'Mohammad Razzaghi', 'Zahra Moeini', 'Mahmoud Sepahi', 'Shirin Ebadi'];
  const r = pairLists(fa, en);
  const pairs = r.pairs.map((p) => [fa[p.a], en[p.b]]);
  assert.deepEqual(
    pairs.sort(),
    [
      ['حسن عزیزی', 'Hassan Azizi'],
      ['زهرا معینی', 'Zahra Moeini'],
      ['محمد رزاقی', 'Mohammad Razzaghi'],
      ['محمود سپاهی', 'Mahmoud Sepahi'],
    ].sort(),
  );
  assert.deepEqual(r.duplicatesA, [[2, 3]]);
  assert.deepEqual(r.duplicatesB, [[1, 4]]);
  assert.deepEqual(r.unpairedA.map((i) => fa[i]), ['نادر کشتکار']);
  assert.deepEqual(r.unpairedB.map((i) => en[i]), ['Shirin Ebadi']);
  for (const p of r.pairs) assert.ok(p.score >= 0 && p.score <= 1);
});

test('pairLists through blocking (large-list path) gives the same pairs', () => {
  const fa = ['محمد رزاقی', 'حسن عزیزی', 'زهرا معینی', 'پرویز حیدر زاده'];
  const en = ['Parviz Heydarzadeh', 'Zahra Moeini', 'Mohammad Razzaghi', 'Hassan Azizi'];
  const dense = pairLists(fa, en);
  const sparse = pairLists(fa, en, { exhaustivePairsUpTo: 0, exhaustiveUpTo: 0 });
  const norm = (r: typeof dense) => r.pairs.map((p) => `${p.a}-${p.b}`).sort();
  assert.deepEqual(norm(sparse), norm(dense));
  assert.equal(dense.pairs.length, 4);
});

test('clusterPeople: every row once; exact repeats, scripts and spellings merge; hard negatives do not', () => {
  const rows = [
    { name: 'Mohammad Sharifi' }, // 0
    { name: 'Mohammadreza Sharifi' }, // 1
    { name: 'محمد شریفی', nameAlt: 'Mohammad Sharifi' }, // 2
    { name: 'Hamid Karimi' }, // 3
    { name: 'Muhammad Sharifi' }, // 4
    { name: 'Hamed Karimi' }, // 5
    { name: 'Hamid Karimi' }, // 6
    { name: 'محمد‌رضا شريفي' }, // 7
  ];
  const clusters = clusterPeople(rows);
  assert.deepEqual(clusters, [[0, 2, 4], [1, 7], [3, 6], [5]]);
  assert.deepEqual(clusterPeople(rows, { exhaustiveUpTo: 0 }), clusters); // through blocking too
});

test('a chain of close spellings does not merge two people that direct evidence separates', () => {
  const rows = [
    { name: 'Reza Sadeghi' },
    { name: 'رضا صادقی' },
    { name: 'Reza Sadaghi' },
    { name: 'رضا صداقی' },
  ];
  const clusters = clusterPeople(rows);
  assert.ok(!clusters.some((c) => c.includes(0) && c.includes(3)), JSON.stringify(clusters));
});
