/**
 * Finding duplicates within a list and pairing two lists (e.g. the Persian and English signatory lists of
 * one letter) one-to-one.
 *
 * Duplicates: candidate pairs come from blocking keys (or all pairs for small lists), and rows whose best
 * evidence reaches LIKELY_DUPLICATE are joined (union-find). Pairing: duplicates are grouped first, so each
 * person is paired once; candidate pairs are scored, pruned to each name's best few, and solved by optimal
 * assignment. Pairs with a low score or a small margin over the runner-up are flagged for a human.
 */
import { maxGainMatching, type Edge } from './assign.ts';
import { blockingKeys } from './blocking.ts';
import {
  comparePreparedPeople,
  LIKELY_DUPLICATE,
  preparePerson,
  REVIEW,
  type Person,
  type PreparedPerson,
} from './match.ts';

export type Progress = (done: number, total: number, phase: string) => void;

export interface ClusterOptions {
  /** Score at or above which two rows are one person. Default LIKELY_DUPLICATE. */
  threshold?: number;
  onProgress?: Progress;
  /** Two groups never merge if a pair across them scores below this. Default REVIEW. */
  floor?: number;
  /** Lists up to this size are compared all against all instead of through blocking. */
  exhaustiveUpTo?: number;
}

/** Candidate pairs (i < j) within one list. */
function candidatePairsWithin(people: Person[], exhaustiveUpTo: number): Array<[number, number]> {
  const n = people.length;
  const out: Array<[number, number]> = [];
  if (n <= exhaustiveUpTo) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out.push([i, j]);
    return out;
  }
  const index = new Map<string, number[]>();
  const seen = new Set<number>();
  for (let j = 0; j < n; j++) {
    const p = people[j]!;
    seen.clear();
    for (const k of blockingKeys(p.name, p.nameAlt)) {
      const ids = index.get(k);
      if (ids) {
        for (const i of ids) {
          if (!seen.has(i)) {
            seen.add(i);
            out.push([i, j]);
          }
        }
        ids.push(j);
      } else index.set(k, [j]);
    }
  }
  return out;
}

class UnionFind {
  parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }
  union(a: number, b: number) {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/**
 * Groups rows judged to be one person. Every row is in exactly one cluster; clusters are ordered by their
 * first row and list rows ascending.
 */
export function clusterPeople(people: Person[], opts: ClusterOptions = {}, prepared?: PreparedPerson[]): number[][] {
  const threshold = opts.threshold ?? LIKELY_DUPLICATE;
  const floor = opts.floor ?? REVIEW;
  const prep = prepared ?? people.map(preparePerson);
  const n = people.length;
  const uf = new UnionFind(n);
  // exact repeats always merge, whatever blocking does
  const byKey = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = prep[i]!.names.map((x) => x.key).join('\u0000');
    if (!k) continue;
    const first = byKey.get(k);
    if (first === undefined) byKey.set(k, i);
    else uf.union(first, i);
  }
  const pairs = candidatePairsWithin(people, opts.exhaustiveUpTo ?? 300);
  const step = Math.max(1, Math.floor(pairs.length / 100));
  const known = new Map<number, number>(); // i * n + j (i < j) → score
  const score = (i: number, j: number) => {
    const k = i < j ? i * n + j : j * n + i;
    let s = known.get(k);
    if (s === undefined) {
      s = comparePreparedPeople(prep[i]!, prep[j]!).score;
      known.set(k, s);
    }
    return s;
  };
  // "clearly different": two names in one script score below review, or any comparison is far below it.
  // A cross-script comparison just under review does not veto: transliteration is the noisiest evidence.
  const differs = (i: number, j: number) => {
    const s = score(i, j);
    if (s >= floor) return false;
    if (s < floor - 0.1) return true;
    return comparePreparedPeople(prep[i]!, prep[j]!).via !== 'cross-script';
  };
  const edges: Array<[number, number, number]> = [];
  for (let x = 0; x < pairs.length; x++) {
    const [i, j] = pairs[x]!;
    if (uf.find(i) !== uf.find(j)) {
      const s = score(i, j);
      if (s >= threshold) edges.push([i, j, s]);
    }
    if (opts.onProgress && x % step === 0) opts.onProgress(x, pairs.length, 'duplicates');
  }
  // Strongest evidence first; two groups merge only if no pair across them looks clearly different
  // (complete-link floor). Threat: a chain of "close" spellings (Sadeghi – صادقی – Sadaghi – صداقی)
  // merging two people that direct evidence separates.
  edges.sort((p, q) => q[2] - p[2] || p[0] - q[0] || p[1] - q[1]);
  const members = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    if (r !== i) (members.get(r) ?? members.set(r, [r]).get(r)!).push(i);
  }
  const membersOf = (r: number) => members.get(r) ?? [r];
  for (const [i, j] of edges) {
    const ri = uf.find(i);
    const rj = uf.find(j);
    if (ri === rj) continue;
    const A = membersOf(ri);
    const B = membersOf(rj);
    let ok = true;
    for (const x of A) {
      for (const y of B) {
        if (prep[x]!.names.length && differs(x, y)) {
          ok = false;
          break;
        }
      }
      if (!ok) break;
    }
    if (!ok) continue;
    uf.union(ri, rj);
    const r = uf.find(ri);
    members.set(r, [...A, ...B]);
    if (r !== ri) members.delete(ri);
    if (r !== rj) members.delete(rj);
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    let g = groups.get(r);
    if (!g) groups.set(r, (g = []));
    g.push(i);
  }
  return [...groups.values()].sort((a, b) => a[0]! - b[0]!);
}

export interface PairOptions extends ClusterOptions {
  /**
   * Pairs scoring below this are never made. Default 0.3: pairing is relative (the optimal assignment),
   * so a weak pair is made only when nothing better exists for either name, and it is flagged.
   */
  minScore?: number;
  /** Lists whose product of sizes is at most this are scored all against all. Default 250,000. */
  exhaustivePairsUpTo?: number;
  /** Each name keeps only its best `topK` candidate edges. Default 5. */
  topK?: number;
}

export interface ListPair {
  /** Index in list A (the first row of its duplicate group). */
  a: number;
  b: number;
  score: number;
  /** Score minus the best alternative for either side (1 when there is none). */
  margin: number;
  /** True when a human should check: low score or a close runner-up. */
  lowConfidence: boolean;
}

export interface PairResult {
  pairs: ListPair[];
  /** Rows (first of their group) of A and of B left without a partner. */
  unpairedA: number[];
  unpairedB: number[];
  /** Every row in exactly one cluster (one person per cluster). */
  clustersA: number[][];
  clustersB: number[][];
  /** Clusters with more than one row. */
  duplicatesA: number[][];
  duplicatesB: number[][];
}

const toPerson = (x: string | Person): Person => (typeof x === 'string' ? { name: x } : x);

/** Pairs two lists one-to-one over distinct people. */
export function pairLists(listA: Array<string | Person>, listB: Array<string | Person>, opts: PairOptions = {}): PairResult {
  const A = listA.map(toPerson);
  const B = listB.map(toPerson);
  const prepA = A.map(preparePerson);
  const prepB = B.map(preparePerson);
  const clustersA = clusterPeople(A, opts, prepA);
  const clustersB = clusterPeople(B, opts, prepB);
  const repsA = clustersA.map((c) => c[0]!);
  const repsB = clustersB.map((c) => c[0]!);
  const minScore = opts.minScore ?? 0.3;
  const topK = opts.topK ?? 5;

  // candidate (repA, repB) pairs, by position in repsA/repsB
  const cand: Array<[number, number]> = [];
  if (repsA.length * repsB.length <= (opts.exhaustivePairsUpTo ?? 250_000)) {
    for (let x = 0; x < repsA.length; x++) for (let y = 0; y < repsB.length; y++) cand.push([x, y]);
  } else {
    const index = new Map<string, number[]>();
    repsB.forEach((r, y) => {
      for (const k of blockingKeys(B[r]!.name, B[r]!.nameAlt)) {
        let l = index.get(k);
        if (!l) index.set(k, (l = []));
        l.push(y);
      }
    });
    const seen = new Set<number>();
    repsA.forEach((r, x) => {
      seen.clear();
      for (const k of blockingKeys(A[r]!.name, A[r]!.nameAlt)) {
        for (const y of index.get(k) ?? []) {
          if (seen.has(y)) continue;
          seen.add(y);
          cand.push([x, y]);
        }
      }
    });
  }

  const scored: Array<{ x: number; y: number; s: number }> = [];
  const step = Math.max(1, Math.floor(cand.length / 100));
  for (let i = 0; i < cand.length; i++) {
    const [x, y] = cand[i]!;
    const s = comparePreparedPeople(prepA[repsA[x]!]!, prepB[repsB[y]!]!).score;
    if (s >= minScore) scored.push({ x, y, s });
    if (opts.onProgress && i % step === 0) opts.onProgress(i, cand.length, 'pairing');
  }

  // keep each node's best few edges: prunes chains that would make huge components
  const byX = new Map<number, typeof scored>();
  const byY = new Map<number, typeof scored>();
  for (const e of scored) {
    (byX.get(e.x) ?? byX.set(e.x, []).get(e.x)!).push(e);
    (byY.get(e.y) ?? byY.set(e.y, []).get(e.y)!).push(e);
  }
  const keep = new Set<(typeof scored)[number]>();
  for (const m of [byX, byY]) {
    for (const list of m.values()) {
      list.sort((p, q) => q.s - p.s);
      for (const e of list.slice(0, topK)) keep.add(e);
    }
  }
  const edges: Edge[] = [...keep].map((e) => ({ a: e.x, b: e.y, gain: e.s - minScore + 1e-9 }));
  const matched = maxGainMatching(edges);

  const bestOther = (list: typeof scored | undefined, exclude: (e: (typeof scored)[number]) => boolean) => {
    let b = 0;
    for (const e of list ?? []) if (!exclude(e) && e.s > b) b = e.s;
    return b;
  };
  const scoreOf = new Map<string, number>();
  for (const e of scored) scoreOf.set(`${e.x},${e.y}`, e.s);
  const pairs: ListPair[] = matched
    .map(([x, y]) => {
      const s = scoreOf.get(`${x},${y}`)!;
      const alt = Math.max(
        bestOther(byX.get(x), (e) => e.y === y),
        bestOther(byY.get(y), (e) => e.x === x),
      );
      const margin = alt > 0 ? s - alt : 1;
      return { a: repsA[x]!, b: repsB[y]!, score: s, margin, lowConfidence: s < REVIEW || margin < 0.05 };
    })
    .sort((p, q) => p.a - q.a);
  const pairedA = new Set(pairs.map((p) => p.a));
  const pairedB = new Set(pairs.map((p) => p.b));
  return {
    pairs,
    unpairedA: repsA.filter((r) => !pairedA.has(r)),
    unpairedB: repsB.filter((r) => !pairedB.has(r)),
    clustersA,
    clustersB,
    duplicatesA: clustersA.filter((c) => c.length > 1),
    duplicatesB: clustersB.filter((c) => c.length > 1),
  };
}
