/**
 * Evaluation of the names engine (npm run eval:names). Prints figures, asserts nothing.
 *
 * A. Cross-validation (k = 5), the figures that count: the data a fold is scored on is never in the data the
 *    correspondences were learnt from (learn.ts), and no token of a scored name is either.
 *    A1. single names: persian-names fa/en pairs (gold in test/fixtures/names/persian-names-gold/), every fa name of
 *        the fold against every en name of the fold, with and without the curated variant list;
 *    A2. full names: test/fixtures/names/people.tsv (development set) and unseen.tsv (held-out set, written before
 *        the engine ever ran on it), folds by person (hard-negative partners in one fold), clustered through
 *        blocking as in production; pairwise precision/recall/F1 per fold and overall; hard negatives apart.
 * B. Other scripts: test/fixtures/names/scripts.tsv, per script.
 * C. Development figures (not held out): list pairing of the whole persian-names lists, cross-script pairing of the
 *    hand-built people, blocking recall.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  blockingKeys,
  clusterPeople,
  compareNames,
  comparePeople,
  LIKELY_DUPLICATE,
  normaliseText,
  pairLists,
  type Person,
} from '../src/core/names/index.ts';
import { learnCorrespondences } from '../src/core/names/learn.ts';
import { useCorrespondences } from '../src/core/names/cross.ts';
import { useVariantList } from '../src/core/names/variants.ts';
import { LEARNT_CORRESPONDENCES } from '../src/core/names/learnt.ts';
import { goldPairs } from './learn-names.ts';
import { useTransliterator } from '../src/core/names/translit.ts';
import { anyAsciiTransliterator } from '../src/adapters/translit/any-ascii.ts';

useTransliterator(anyAsciiTransliterator); // as the composition root does

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// ../shared beside the checkout (main) or beside the worktrees' parent
const dataDir = [join(root, '..', 'shared'), join(root, '..', '..', 'shared'), process.env.SHARED_DIR ?? '']
  .map((d) => join(d, 'data', 'persian-names'))
  .find((d) => existsSync(join(d, 'male_fa.txt')))!;
const fixtures = join(root, 'test', 'fixtures', 'names');

const readLines = (p: string) =>
  readFileSync(p, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const f3 = (x: number) => x.toFixed(3);
const K = 5;

function sharesKey(a: Person, b: Person): boolean {
  const ka = new Set(blockingKeys(a.name, a.nameAlt));
  return blockingKeys(b.name, b.nameAlt).some((k) => ka.has(k));
}

/** Deterministic fold of a string (FNV-1a). */
function foldOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h % K;
}

interface Counts { tp: number; fp: number; fn: number }
const prf = ({ tp, fp, fn }: Counts) => {
  const p = tp / (tp + fp || 1);
  const r = tp / (tp + fn || 1);
  return { p, r, f: (2 * p * r) / (p + r || 1) };
};
const show = (c: Counts) => {
  const { p, r, f } = prf(c);
  return `P ${f3(p)} R ${f3(r)} F1 ${f3(f)} (tp ${c.tp}, fp ${c.fp}, fn ${c.fn})`;
};
const add = (a: Counts, b: Counts) => ({ tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn });
const tokensOf = (s: string) => normaliseText(s, 'join').split(' ').filter(Boolean);

const GOLD = goldPairs();
/** Learn from the gold pairs, leaving out every pair that shares a token with the names to be scored. */
function learnWithout(scored: Iterable<string>): number {
  const banned = new Set<string>();
  for (const n of scored) for (const t of tokensOf(n)) banned.add(t);
  const train = GOLD.filter(([fa, en]) => ![...tokensOf(fa), ...tokensOf(en)].some((t) => banned.has(t)));
  learnCorrespondences(train);
  return train.length;
}

// ---------------------------------------------------------------- A1. single names, cross-validated
console.log(`A1. Single names, ${K}-fold cross-validation on persian-names (${GOLD.length} fa/en pairs; each fold scored with correspondences learnt from the other folds)`);
const a1: Record<'list' | 'alone', Counts> = { list: { tp: 0, fp: 0, fn: 0 }, alone: { tp: 0, fp: 0, fn: 0 } };
for (let f = 0; f < K; f++) {
  const test = GOLD.filter(([fa]) => foldOf(fa) === f);
  const trainN = learnWithout(test.flat());
  const line: string[] = [];
  for (const mode of ['list', 'alone'] as const) {
    useVariantList(mode === 'list');
    const c: Counts = { tp: 0, fp: 0, fn: 0 };
    for (let i = 0; i < test.length; i++) {
      for (let j = 0; j < test.length; j++) {
        const same = test[i]![0] === test[j]![0] || test[i]![1] === test[j]![1];
        const hit = compareNames(test[i]![0], test[j]![1]).score >= LIKELY_DUPLICATE;
        if (same && hit) c.tp++;
        else if (same) c.fn++;
        else if (hit) c.fp++;
      }
    }
    a1[mode] = add(a1[mode], c);
    line.push(`${mode === 'list' ? 'with list' : 'learnt distance alone'}: ${show(c)}`);
  }
  useVariantList(true);
  console.log(`   fold ${f}: ${test.length} pairs scored, learnt from ${trainN}\n      ${line.join('\n      ')}`);
}
console.log(`   overall with list:             ${show(a1.list)}`);
console.log(`   overall learnt distance alone: ${show(a1.alone)}`);

// ---------------------------------------------------------------- A2. full names, cross-validated
interface Row extends Person {
  person: string;
  tag: string;
}
function readPeople(file: string): Row[] {
  return readFileSync(join(fixtures, file), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l && !l.startsWith('#'))
    .slice(1)
    .map((l) => {
      const [person, name, alt, tag] = l.split('\t');
      return { person: person!.trim(), name: name!.trim(), nameAlt: alt?.trim() || null, tag: tag?.trim() ?? '' };
    });
}

interface SetResult { counts: Counts; hnPairs: number; hnMerged: number; hnLikely: number; missed: string[]; falseMerges: string[]; hnList: string[] }

/** Cluster rows (through blocking) and count pairwise results and hard negatives. */
function scoreRows(rows: Row[]): SetResult {
  const clusters = clusterPeople(rows, { exhaustiveUpTo: 0 });
  const clusterOf = new Int32Array(rows.length);
  clusters.forEach((c, k) => {
    for (const i of c) clusterOf[i] = k;
  });
  const counts: Counts = { tp: 0, fp: 0, fn: 0 };
  const missed: string[] = [];
  const falseMerges: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const same = rows[i]!.person === rows[j]!.person;
      const merged = clusterOf[i] === clusterOf[j];
      if (same && merged) counts.tp++;
      else if (!same && merged) {
        counts.fp++;
        falseMerges.push(`${rows[i]!.name} = ${rows[j]!.name}`);
      } else if (same) {
        counts.fn++;
        missed.push(`${rows[i]!.name} ~ ${rows[j]!.name}`);
      }
    }
  }
  const byTag = new Map<string, Set<string>>();
  for (const r of rows) if (r.tag) (byTag.get(r.tag) ?? byTag.set(r.tag, new Set()).get(r.tag)!).add(r.person);
  let hnPairs = 0;
  let hnMerged = 0;
  let hnLikely = 0;
  const hnList: string[] = [];
  for (const [tag, ps] of byTag) {
    const [pa, pb] = [...ps];
    if (!pa || !pb) continue;
    const ra = rows.map((r, i) => [r, i] as const).filter(([r]) => r.person === pa);
    const rb = rows.map((r, i) => [r, i] as const).filter(([r]) => r.person === pb);
    hnPairs++;
    if (ra.some(([, i]) => rb.some(([, j]) => clusterOf[i] === clusterOf[j]))) {
      hnMerged++;
      hnList.push(tag);
    }
    for (const [x] of ra) for (const [y] of rb) if (comparePeople(x, y).score >= LIKELY_DUPLICATE) hnLikely++;
  }
  return { counts, hnPairs, hnMerged, hnLikely, missed, falseMerges, hnList };
}

/** Folds by group: a person, or all the people linked by a hard-negative tag (scored together). */
function groupFolds(rows: Row[]): Map<string, number> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    const p = parent.get(x) ?? x;
    if (p === x) return x;
    const r = find(p);
    parent.set(x, r);
    return r;
  };
  const tagOwner = new Map<string, string>();
  for (const r of rows) {
    if (!r.tag) continue;
    const o = tagOwner.get(r.tag);
    if (o) parent.set(find(r.person), find(o));
    else tagOwner.set(r.tag, r.person);
  }
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.person, foldOf(find(r.person)));
  return out;
}

const SETS = [
  { file: 'people.tsv', label: 'development set people.tsv' },
  { file: 'unseen.tsv', label: 'first held-out set unseen.tsv (development data since its first run)' },
  { file: 'unseen-2.tsv', label: 'second held-out set unseen-2.tsv (development data since its first run)' },
  { file: 'unseen-3.tsv', label: 'third held-out set unseen-3.tsv (development data since its first run)' },
  { file: 'unseen-4.tsv', label: 'fourth held-out set unseen-4.tsv (written before the work it measures, not tuned on)', heldOut: true },
] as Array<{ file: string; label: string; heldOut?: boolean }>;
const a2Total: Counts = { tp: 0, fp: 0, fn: 0 };
let a2HnPairs = 0;
let a2HnMerged = 0;
const a2PerSet: Record<string, Counts> = {};
console.log(`\nA2. Full names, ${K}-fold cross-validation by person (correspondences learnt without any token of the fold's names)`);
for (const set of SETS) {
  const rows = readPeople(set.file);
  const folds = groupFolds(rows);
  const persons = new Set(rows.map((r) => r.person));
  console.log(`   ${set.label}: ${rows.length} rows, ${persons.size} people`);
  let total: Counts = { tp: 0, fp: 0, fn: 0 };
  const missedAll: string[] = [];
  const falseAll: string[] = [];
  for (let f = 0; f < K; f++) {
    const test = rows.filter((r) => folds.get(r.person) === f);
    if (!test.length) continue;
    const trainN = learnWithout(test.flatMap((r) => [r.name, r.nameAlt ?? '']));
    const res = scoreRows(test);
    total = add(total, res.counts);
    a2HnPairs += res.hnPairs;
    a2HnMerged += res.hnMerged;
    missedAll.push(...res.missed);
    falseAll.push(...res.falseMerges);
    console.log(
      `      fold ${f}: ${test.length} rows, learnt from ${trainN} pairs: ${show(res.counts)}; hard negatives merged ${res.hnMerged}/${res.hnPairs}` +
        `${res.hnList.length ? ` (${res.hnList.join(', ')})` : ''}, ${res.hnLikely} row pairs in the likely band`,
    );
  }
  a2PerSet[set.file] = total;
  for (const k of ['tp', 'fp', 'fn'] as const) a2Total[k] += total[k];
  console.log(`      overall: ${show(total)}`);
  // a held-out set's errors are counted, not listed, so that nobody tunes on them
  if (set.heldOut) continue;
  if (falseAll.length) console.log(`      false merges: ${falseAll.slice(0, 10).join('; ')}`);
  if (missedAll.length) console.log(`      missed: ${missedAll.slice(0, 14).join('; ')}${missedAll.length > 14 ? ` … (${missedAll.length})` : ''}`);
}
console.log(`   both sets overall: ${show(a2Total)}; hard negatives merged ${a2HnMerged}/${a2HnPairs}`);
useCorrespondences(LEARNT_CORRESPONDENCES);

// ---------------------------------------------------------------- A3. the issue's named hard negatives
{
  const NAMED: Array<[string, string[], string[]]> = [
    ['Karimi/Karami', ['Ali Karimi', 'علی کریمی', 'Ali Kareemi'], ['Ali Karami', 'علی کرمی', 'Aly Karami']],
    ['Hassan/Hossein', ['Hassan Rezaei', 'حسن رضایی', 'Hasan Rezaee'], ['Hossein Rezaei', 'حسین رضایی', "Husayn Rida'i"]],
    ['Farahani/Farhadi', ['Reza Farahani', 'رضا فراهانی', 'Riza Farahani'], ['Reza Farhadi', 'رضا فرهادی', 'Rida Farhadi']],
    ['Mohammad/Mohammadreza Sharifi', ['Mohammad Sharifi', 'محمد شریفی', 'Muhammad Sharifi'], ['Mohammadreza Sharifi', 'محمدرضا شریفی', 'Mohammad Reza Sharifi']],
    ['Rezaei/Rezvani', ['Ali Rezaei', 'علی رضایی', "Ali Rida'i"], ['Ali Rezvani', 'علی رضوانی', 'Ali Rizvani']],
  ];
  console.log(`\nA3. The named hard negatives (three spellings a side, Persian, Persian-style and Arabic-style Latin)`);
  let likelyTotal = 0;
  let mergedTotal = 0;
  for (const [label, a, b] of NAMED) {
    let likely = 0;
    for (const x of a) for (const y of b) if (comparePeople({ name: x }, { name: y }).score >= LIKELY_DUPLICATE) likely++;
    const rows = [...a, ...b].map((name) => ({ name }));
    const cl = clusterPeople(rows, { exhaustiveUpTo: 0 });
    const merged = cl.some((c) => c.some((i) => i < a.length) && c.some((i) => i >= a.length)) ? 1 : 0;
    const together = cl.filter((c) => c.length > 1).length;
    likelyTotal += likely;
    mergedTotal += merged;
    console.log(`   ${label.padEnd(30)} ${likely}/9 cross pairs in the likely band, merged ${merged ? 'YES' : 'no'} (${together} groups of the same person found)`);
  }
  console.log(`   total: ${likelyTotal} pairs in the likely band, ${mergedTotal}/5 merged (target 0)`);
}

// ---------------------------------------------------------------- B. other scripts
{
  const rows = readFileSync(join(fixtures, 'scripts.tsv'), 'utf8')
    .split(/\r?\n/)
    .filter((l) => l && !l.startsWith('#'))
    .slice(1)
    .map((l) => l.split('\t').map((x) => x.trim()) as [string, string, string]);
  console.log(`\nB. Other scripts, test/fixtures/names/scripts.tsv (${rows.length} rows; every pair of rows of all scripts scored)`);
  const per = new Map<string, Counts>();
  const misses: string[] = [];
  const falses: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const [sa, pa, na] = rows[i]!;
      const [, pb, nb] = rows[j]!;
      const same = pa === pb;
      const hit = compareNames(na, nb).score >= LIKELY_DUPLICATE;
      const c = per.get(sa) ?? per.set(sa, { tp: 0, fp: 0, fn: 0 }).get(sa)!;
      if (same && hit) c.tp++;
      else if (same) {
        c.fn++;
        misses.push(`${na} ~ ${nb} (${compareNames(na, nb).score.toFixed(2)})`);
      } else if (hit) {
        c.fp++;
        falses.push(`${na} = ${nb}`);
      }
    }
  }
  let all: Counts = { tp: 0, fp: 0, fn: 0 };
  for (const [script, c] of per) {
    all = add(all, c);
    console.log(`   ${script.padEnd(4)} ${show(c)}`);
  }
  console.log(`   all  ${show(all)}`);
  if (misses.length) console.log(`   missed: ${misses.join('; ')}`);
  if (falses.length) console.log(`   false: ${falses.join('; ')}`);
}

// ---------------------------------------------------------------- C1. persian-names list pairing (development)
console.log('\nC1. List pairing, ../shared/data/persian-names (fa list vs en list, separately sorted)');
let goldTotal = 0;
let goldCorrect = 0;
let unpairedTotal = 0;
let unpairedCorrect = 0;
let blockShared = 0;
let blockPairs = 0;
for (const file of ['male', 'female', 'region']) {
  const fa = readLines(join(dataDir, `${file}_fa.txt`));
  const en = readLines(join(dataDir, `${file}_en.txt`));
  // the gold file is tab-separated, "fa<TAB>en"; an empty side marks a name without a counterpart
  const goldRows = readFileSync(join(fixtures, 'persian-names-gold', `${file}.tsv`), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.length)
    .map((l) => l.split('\t').map((x) => x.trim()) as [string, string]);
  const t0 = performance.now();
  const res = pairLists(fa, en);
  const ms = performance.now() - t0;
  const predicted = new Set(res.pairs.map((p) => `${fa[p.a]}\t${en[p.b]}`));
  const predUnpairedA = new Set(res.unpairedA.map((i) => fa[i]!));
  const predUnpairedB = new Set(res.unpairedB.map((i) => en[i]!));
  let ok = 0;
  let n = 0;
  let uok = 0;
  let un = 0;
  const wrong: string[] = [];
  for (const [a, b] of goldRows) {
    if (a && b) {
      n++;
      if (predicted.has(`${a}\t${b}`)) ok++;
      else wrong.push(`${a} ↔ ${b}`);
      blockPairs++;
      if (sharesKey({ name: a }, { name: b })) blockShared++;
    } else {
      un++;
      if ((a && predUnpairedA.has(a)) || (b && predUnpairedB.has(b))) uok++;
      else wrong.push(`unpaired ${a || b}`);
    }
  }
  goldTotal += n;
  goldCorrect += ok;
  unpairedTotal += un;
  unpairedCorrect += uok;
  console.log(
    `   ${file.padEnd(7)} fa ${fa.length}, en ${en.length}: ${ok}/${n} pairs correct (${pct(ok / n)}), ` +
      `${uok}/${un} unpaired correct, ${res.pairs.filter((p) => p.lowConfidence).length} flagged, ${ms.toFixed(0)} ms` +
      (wrong.length ? `\n           wrong: ${wrong.slice(0, 8).join('; ')}` : ''),
  );
}
const pairingAccuracy = goldCorrect / goldTotal;
console.log(`   total: ${goldCorrect}/${goldTotal} pairs correct = ${pct(pairingAccuracy)}; unpaired ${unpairedCorrect}/${unpairedTotal}`);
console.log(`   blocking: ${blockShared}/${blockPairs} true pairs share a key (${pct(blockShared / blockPairs)})`);

const rows = readPeople('people.tsv');
const persons = new Set(rows.map((r) => r.person));
const dev = scoreRows(rows);
const precision = prf(dev.counts).p;
const recall = prf(dev.counts).r;
const f1 = prf(dev.counts).f;
const hnMerged = dev.hnMerged;
console.log(`\nC2. Duplicate detection on the whole development set people.tsv (not cross-validated): ${show(dev.counts)}; hard negatives merged ${dev.hnMerged}/${dev.hnPairs}`);

// ---------------------------------------------------------------- 3. hand-built cross-script pairing
const isLatin = (s: string) => /\p{Script=Latin}/u.test(s) && !/\p{Script=Arabic}/u.test(s);
const faOf = new Map<string, string>();
const enOf = new Map<string, string>();
for (const r of rows) {
  if (!isLatin(r.name) && !faOf.has(r.person)) faOf.set(r.person, r.name);
  if (isLatin(r.name) && !enOf.has(r.person)) enOf.set(r.person, r.name);
}
const both = [...persons].filter((p) => faOf.has(p) && enOf.has(p));
const faList = both.map((p) => faOf.get(p)!).sort();
const enList = both.map((p) => enOf.get(p)!).sort();
const personOfFa = new Map(both.map((p) => [faOf.get(p)!, p]));
const personOfEn = new Map(both.map((p) => [enOf.get(p)!, p]));
const pr = pairLists(faList, enList);
const okPairs = pr.pairs.filter((p) => personOfFa.get(faList[p.a]!) === personOfEn.get(enList[p.b]!)).length;
const wrongPairs = pr.pairs
  .filter((p) => personOfFa.get(faList[p.a]!) !== personOfEn.get(enList[p.b]!))
  .map((p) => `${faList[p.a]} ↔ ${enList[p.b]}`);
console.log(`\nC3. Cross-script pairing of the hand-built people (${both.length} fa names vs ${both.length} Latin names)`);
console.log(
  `   ${okPairs}/${both.length} correct (${pct(okPairs / both.length)}), ${pr.unpairedA.length} left unpaired, ` +
    `${pr.duplicatesA.length + pr.duplicatesB.length} false duplicate groups` +
    (wrongPairs.length ? `\n   wrong: ${wrongPairs.join('; ')}` : ''),
);

// ---------------------------------------------------------------- 4. blocking recall
let likely = 0;
let likelyBlocked = 0;
let truePairs = 0;
let trueBlocked = 0;
const notBlocked: string[] = [];
for (let i = 0; i < rows.length; i++) {
  for (let j = i + 1; j < rows.length; j++) {
    const a = rows[i]!;
    const b = rows[j]!;
    const shared = sharesKey(a, b);
    if (a.person === b.person) {
      truePairs++;
      if (shared) trueBlocked++;
    }
    if (comparePeople(a, b).score >= LIKELY_DUPLICATE) {
      likely++;
      if (shared) likelyBlocked++;
      else notBlocked.push(`${a.name} ~ ${b.name}`);
    }
  }
}
console.log(`\nC4. Blocking recall (hand-built set)`);
console.log(`   likely-duplicate pairs sharing a blocking key: ${likelyBlocked}/${likely} (${pct(likelyBlocked / likely)})`);
console.log(`   true duplicate pairs sharing a blocking key:   ${trueBlocked}/${truePairs} (${pct(trueBlocked / truePairs)})`);
if (notBlocked.length) console.log(`   not blocked: ${notBlocked.slice(0, 8).join('; ')}`);

const a2 = prf(a2Total);
console.log('\nSummary (cross-validated, unseen folds)');
console.log(`   full names, both sets: precision ${f3(a2.p)} (target ≥ 0.99), recall ${f3(a2.r)}, F1 ${f3(a2.f)} (target ≥ 0.97)`);
for (const [file, c] of Object.entries(a2PerSet)) console.log(`     ${file.padEnd(11)} ${show(c)}`);
console.log(`   hard negatives merged ${a2HnMerged}/${a2HnPairs} (target 0)`);
console.log(`   single names (A1) with list ${show(a1.list)}`);
console.log('Development figures (not held out)');
console.log(`   list pairing accuracy ${pct(pairingAccuracy)}; people.tsv whole-set P ${f3(precision)} R ${f3(recall)} F1 ${f3(f1)}, hard negatives merged ${hnMerged}; blocking recall (likely) ${pct(likelyBlocked / likely)}`);
