/**
 * Names benchmark (no assertions; `npm run bench` prints the figures):
 * - pairing two lists of 10,000 full names (Persian vs Latin, separately sorted), blocking + optimal assignment;
 * - the duplicate lookup for one new signature among 1,000,000 existing ones through an in-memory blocking
 *   index (Map from blocking key to ids), as storage would do with an indexed key table.
 *
 * Synthetic people are built from the hand-checked given-name and place-name pairs in
 * test/fixtures/names/persian-names-gold (place names + a surname suffix make family names), with a
 * deterministic generator so runs are comparable.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  blockingKeys,
  comparePreparedPeople,
  LIKELY_DUPLICATE,
  pairLists,
  preparePerson,
} from '../src/core/names/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const goldDir = join(here, '..', 'test', 'fixtures', 'names', 'persian-names-gold');

function pairsOf(file: string): Array<[string, string]> {
  return readFileSync(join(goldDir, `${file}.tsv`), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split('\t') as [string, string])
    .filter(([a, b]) => a && b && !a.includes(' ') && !b.includes(' '));
}

/** Small deterministic PRNG (mulberry32): the bench must not depend on Math.random. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SUFFIXES: Array<[string, string]> = [
  ['ی', 'i'],
  ['ی', 'i'],
  ['زاده', 'zadeh'],
  ['پور', 'pour'],
  ['نژاد', 'nejad'],
  ['یان', 'ian'],
  ['', ''],
];

interface Synthetic {
  fa: string;
  en: string;
}

export function makePeople(count: number, seed: number): Synthetic[] {
  const given = [...pairsOf('male'), ...pairsOf('female')];
  const places = pairsOf('region');
  const r = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: Synthetic[] = [];
  for (let i = 0; i < count; i++) {
    const [gf, ge] = pick(given);
    const [pf, pe] = pick(places);
    const [sf, se] = pick(SUFFIXES);
    const middle = r() < 0.15 ? pick(given) : null;
    const fa = [gf, middle?.[0], pf + sf].filter(Boolean).join(' ');
    const en = [ge, middle?.[1], pe + se].filter(Boolean).join(' ');
    out.push({ fa, en });
  }
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

export async function benchNames(opts: { pairSize?: number; indexSize?: number; queries?: number } = {}): Promise<object> {
  const pairSize = opts.pairSize ?? 10_000;
  const indexSize = opts.indexSize ?? 1_000_000;
  const queries = opts.queries ?? 200;

  // ---- pairing two lists of 10,000
  const people = makePeople(pairSize, 1);
  const fa = people.map((p) => p.fa).sort();
  const en = people.map((p) => p.en).sort();
  const enOfFa = new Map(people.map((p) => [p.fa, p.en]));
  const t0 = performance.now();
  const res = pairLists(fa, en);
  const pairMs = performance.now() - t0;
  const correct = res.pairs.filter((p) => enOfFa.get(fa[p.a]!) === en[p.b]).length;

  // ---- lookup among 1,000,000 existing signatures (half Persian, half Latin)
  const existing = makePeople(indexSize, 2);
  const t1 = performance.now();
  const index = new Map<string, number[]>();
  for (let id = 0; id < existing.length; id++) {
    const p = existing[id]!;
    const name = id % 2 ? p.en : p.fa;
    for (const k of blockingKeys(name)) {
      const list = index.get(k);
      if (list) list.push(id);
      else index.set(k, [id]);
    }
  }
  const indexMs = performance.now() - t1;
  let largest = 0;
  for (const l of index.values()) if (l.length > largest) largest = l.length;

  const newcomers = makePeople(queries, 3);
  const times: number[] = [];
  const candidateCounts: number[] = [];
  let found = 0;
  for (let q = 0; q < newcomers.length; q++) {
    // every other newcomer is an existing signer again, in the other script
    const target = q % 2 === 0 ? existing[(q * 7919) % existing.length]! : newcomers[q]!;
    const targetId = q % 2 === 0 ? (q * 7919) % existing.length : -1;
    const probe = targetId >= 0 ? (targetId % 2 ? target.fa : target.en) : target.fa;
    const s = performance.now();
    const prepared = preparePerson({ name: probe });
    const seen = new Set<number>();
    const hits: number[] = [];
    for (const k of blockingKeys(probe)) {
      for (const id of index.get(k) ?? []) {
        if (seen.has(id)) continue;
        seen.add(id);
        const p = existing[id]!;
        const other = preparePerson({ name: id % 2 ? p.en : p.fa });
        if (comparePreparedPeople(prepared, other).score >= LIKELY_DUPLICATE) hits.push(id);
      }
    }
    times.push(performance.now() - s);
    candidateCounts.push(seen.size);
    if (targetId >= 0 && hits.includes(targetId)) found++;
  }

  return {
    pairing: {
      size: pairSize,
      ms: Math.round(pairMs),
      pairs: res.pairs.length,
      correct,
      distinctPeople: new Set(fa).size,
      accuracy: round((100 * correct) / new Set(fa).size),
      duplicateGroups: res.duplicatesA.length + res.duplicatesB.length,
    },
    lookup: {
      existing: indexSize,
      indexBuildMs: Math.round(indexMs),
      keys: index.size,
      largestBlock: largest,
      queries,
      medianMs: round(median(times)),
      p95Ms: round(percentile(times, 0.95)),
      medianCandidates: median(candidateCounts),
      reSignersFound: `${found}/${Math.ceil(queries / 2)}`,
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchNames(), null, 2));
}
