/**
 * Evaluation of the names engine (npm run eval:names). Prints figures, asserts nothing.
 *
 * 1. List pairing on ../shared/data/persian-names: the fa and en lists of each file are sorted separately and
 *    a few entries lack a counterpart; gold alignment hand-checked in test/fixtures/names/persian-names-gold/.
 * 2. Duplicate detection on the hand-built full-name set test/fixtures/names/people.tsv (variants, scripts,
 *    typos, hard negatives): pairwise precision, recall, F1, and false merges among hard negatives.
 * 3. Cross-script pairing of the hand-built people (first Persian name vs first Latin name of each person).
 * 4. Blocking recall: the share of likely-duplicate pairs (found by exhaustive comparison) that share a
 *    blocking key, i.e. that blocking would have found.
 *
 * Caveat: the variant list and the costs were written with these lists in view; they are development data,
 * not a held-out test set.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  blockingKeys,
  clusterPeople,
  comparePeople,
  LIKELY_DUPLICATE,
  pairLists,
  type Person,
} from '../src/core/names/index.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = join(root, '..', 'shared', 'data', 'persian-names');
const fixtures = join(root, 'test', 'fixtures', 'names');

const readLines = (p: string) =>
  readFileSync(p, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const f3 = (x: number) => x.toFixed(3);

function sharesKey(a: Person, b: Person): boolean {
  const ka = new Set(blockingKeys(a.name, a.nameAlt));
  return blockingKeys(b.name, b.nameAlt).some((k) => ka.has(k));
}

// ---------------------------------------------------------------- 1. persian-names list pairing
console.log('1. List pairing, ../shared/data/persian-names (fa list vs en list, separately sorted)');
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

// ---------------------------------------------------------------- 2. hand-built duplicates
interface Row extends Person {
  person: string;
  tag: string;
}
const rows: Row[] = readFileSync(join(fixtures, 'people.tsv'), 'utf8')
  .split(/\r?\n/)
  .filter((l) => l && !l.startsWith('#'))
  .slice(1)
  .map((l) => {
    const [person, name, alt, tag] = l.split('\t');
    return { person: person!.trim(), name: name!.trim(), nameAlt: alt?.trim() || null, tag: tag?.trim() ?? '' };
  });
const persons = new Set(rows.map((r) => r.person));
console.log(`\n2. Duplicate detection, test/fixtures/names/people.tsv (${rows.length} rows, ${persons.size} people)`);
const t1 = performance.now();
const clusters = clusterPeople(rows, { exhaustiveUpTo: 0 }); // through blocking, as in production
const ms1 = performance.now() - t1;
const clusterOf = new Int32Array(rows.length);
clusters.forEach((c, k) => {
  for (const i of c) clusterOf[i] = k;
});
let tp = 0;
let fp = 0;
let fn = 0;
const falseMerges: string[] = [];
const missed: string[] = [];
for (let i = 0; i < rows.length; i++) {
  for (let j = i + 1; j < rows.length; j++) {
    const same = rows[i]!.person === rows[j]!.person;
    const merged = clusterOf[i] === clusterOf[j];
    if (same && merged) tp++;
    else if (!same && merged) {
      fp++;
      falseMerges.push(`${rows[i]!.name} = ${rows[j]!.name}`);
    } else if (same && !merged) {
      fn++;
      missed.push(`${rows[i]!.name} ~ ${rows[j]!.name}`);
    }
  }
}
const precision = tp / (tp + fp || 1);
const recall = tp / (tp + fn || 1);
const f1 = (2 * precision * recall) / (precision + recall || 1);
console.log(`   pairwise precision ${f3(precision)}, recall ${f3(recall)}, F1 ${f3(f1)} (tp ${tp}, fp ${fp}, fn ${fn}); ${ms1.toFixed(0)} ms`);
if (falseMerges.length) console.log(`   false merges: ${falseMerges.slice(0, 10).join('; ')}`);
if (missed.length) console.log(`   missed: ${missed.slice(0, 12).join('; ')}${missed.length > 12 ? ' …' : ''}`);

// hard negatives: persons sharing a tag must never be merged, directly or through a chain
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
console.log(
  `   hard negatives: ${hnMerged}/${hnPairs} pairs of people falsely merged${hnList.length ? ` (${hnList.join(', ')})` : ''}; ` +
    `${hnLikely} row pairs in the likely-duplicate band`,
);

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
console.log(`\n3. Cross-script pairing of the hand-built people (${both.length} fa names vs ${both.length} Latin names)`);
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
console.log(`\n4. Blocking recall (hand-built set)`);
console.log(`   likely-duplicate pairs sharing a blocking key: ${likelyBlocked}/${likely} (${pct(likelyBlocked / likely)})`);
console.log(`   true duplicate pairs sharing a blocking key:   ${trueBlocked}/${truePairs} (${pct(trueBlocked / truePairs)})`);
if (notBlocked.length) console.log(`   not blocked: ${notBlocked.slice(0, 8).join('; ')}`);

console.log('\nSummary');
console.log(`   list pairing accuracy      ${pct(pairingAccuracy)}   (target ≥ 99%)`);
console.log(`   duplicate precision        ${f3(precision)}     (target ≥ 0.99)`);
console.log(`   duplicate recall           ${f3(recall)}     (target ≥ 0.95)`);
console.log(`   duplicate F1               ${f3(f1)}`);
console.log(`   hard-negative false merges ${hnMerged}         (target 0)`);
console.log(`   blocking recall (likely)   ${pct(likelyBlocked / likely)}`);
