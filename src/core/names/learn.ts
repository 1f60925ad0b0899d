/**
 * Learning the Persian → Latin correspondences of the cross-script distance from pair data (issue 17).
 *
 * Hard EM (Viterbi training) over the same one-to-many edit distance as cross.ts:
 * 1. align every training pair (Persian token, Latin token) with the current costs, keeping the path;
 * 2. count, for each Persian letter at each position class ('^ا' word-initial, 'ه$' word-final, 'ک' inside),
 *    which Latin string spelled it; a generic substitution on the path proposes a new single-letter spelling;
 * 3. re-estimate P(spelling | letter, position) with the curated costs as a Dirichlet prior
 *    (q ∝ exp(−λ·curated cost), weight α), and turn probabilities into costs relative to the most likely
 *    spelling: cost = ln(P_max / P) / λ, capped at 1 (a generic substitution);
 * 4. repeat (a few rounds; the path changes little after the second).
 *
 * Latin letters no Persian letter accounts for (unwritten short vowels, i/u that must be written) keep their
 * curated costs: those are what separate Hamid from حامد, and pair data of true matches says nothing about
 * false ones. The learnt table replaces cross.ts BASE for a letter and position; the context rules stay.
 *
 * Pure: no I/O. scripts/learn-names.ts reads the data and writes learnt.ts.
 */
import { BASE, latinInsertCost, positionKey, spellingsOf, useCorrespondences, type Correspondences, type Spelling } from './cross.ts';
import { normaliseText } from './normalise.ts';

const ZWNJ = '\u200C';

export interface LearnOptions {
  /** Prior weight (pseudo-counts) of the curated costs. */
  alpha?: number;
  /** Cost scale: a cost of c means the spelling is exp(λ·c) times less likely than the best. */
  lambda?: number;
  rounds?: number;
  /** A spelling proposed by substitutions needs at least this many observations. */
  minNew?: number;
}

interface Step {
  key: string;
  latin: string;
  sub: boolean;
}

/** The cheapest path of spelling `fa` as `la` under the current tables (cross.ts costs, without the hard-cost tie-break). */
export function alignPath(fa: string, la: string): Step[] | null {
  const sp = spellingsOf(fa);
  const letters = [...fa];
  const n = sp.length;
  const m = la.length;
  const INF = Infinity;
  const cost: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(m + 1).fill(INF));
  // back pointer: previous (i, j) and the step taken
  const back: Array<Array<{ pi: number; pj: number; step: Step | null } | undefined>> = Array.from({ length: n + 1 }, () => new Array(m + 1));
  const keyAt = (i: number) => {
    const ch = letters[i]!;
    const first = i === 0 || letters[i - 1] === ZWNJ;
    const last = i === n - 1 || letters[i + 1] === ZWNJ;
    return positionKey(ch, first, last);
  };
  const relax = (i: number, j: number, v: number, pi: number, pj: number, step: Step | null) => {
    if (v < cost[i]![j]! - 1e-12) {
      cost[i]![j] = v;
      back[i]![j] = { pi, pj, step };
    }
  };
  cost[0]![0] = 0;
  const insertRun = (i: number) => {
    for (let j = 1; j <= m; j++) relax(i, j, cost[i]![j - 1]! + latinInsertCost(la, j - 1), i, j - 1, null);
  };
  insertRun(0);
  for (let i = 0; i < n; i++) {
    const isSeam = letters[i] === ZWNJ;
    const key = isSeam ? '' : keyAt(i);
    for (let j = 0; j <= m; j++) {
      const base = cost[i]![j]!;
      if (base === INF) continue;
      if (!isSeam) {
        relax(i + 1, j, base + 1, i, j, { key, latin: '', sub: true });
        if (j < m) relax(i + 1, j + 1, base + 1, i, j, { key, latin: la[j]!, sub: true });
      }
      for (const [str, c0] of sp[i]!) {
        let c = c0;
        if (str.length > 0) {
          if (j + str.length > m || !la.startsWith(str, j)) continue;
          if (str[0] === 'h' && j > 0 && 'skgcz'.includes(la[j - 1]!)) c += 0.3;
        }
        relax(i + 1, j + str.length, base + c, i, j, isSeam ? null : { key, latin: str, sub: false });
      }
    }
    insertRun(i + 1);
  }
  if (cost[n]![m] === INF) return null;
  const steps: Step[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const b = back[i]![j];
    if (!b) return null;
    if (b.step) steps.push(b.step);
    i = b.pi;
    j = b.pj;
  }
  return steps.reverse();
}

/** The curated spellings of a letter at a position class (BASE; context rules are not part of the learnt table). */
function curated(key: string): Spelling[] {
  const ch = key.replace(/^\^|\$$/g, '');
  return BASE[ch] ?? [];
}

/**
 * Learn a correspondence table from (Persian, Latin) pairs of single names or whole names (tokens are paired
 * when both sides have the same number of tokens; other pairs are skipped). Returns the table and how many
 * token pairs it was learnt from. Leaves cross.ts using the returned table.
 */
export function learnCorrespondences(pairs: ReadonlyArray<readonly [fa: string, latin: string]>, opts: LearnOptions = {}): { table: Correspondences; tokenPairs: number } {
  const alpha = opts.alpha ?? 8;
  const lambda = opts.lambda ?? 5;
  const rounds = opts.rounds ?? 3;
  const minNew = opts.minNew ?? 2;
  const tokenPairs: Array<[string, string]> = [];
  for (const [fa, la] of pairs) {
    const ft = normaliseText(fa, 'join').split(' ').filter(Boolean);
    const lt = normaliseText(la, 'join').split(' ').filter(Boolean);
    if (ft.length !== lt.length) continue;
    for (let k = 0; k < ft.length; k++) {
      if (/\p{Script=Arabic}/u.test(ft[k]!) && /^[a-z]+$/.test(lt[k]!)) tokenPairs.push([ft[k]!, lt[k]!]);
    }
  }
  useCorrespondences(null);
  let table: Correspondences = {};
  for (let round = 0; round < rounds; round++) {
    const counts = new Map<string, Map<string, number>>();
    for (const [fa, la] of tokenPairs) {
      const path = alignPath(fa, la);
      if (!path) continue;
      for (const st of path) {
        if (!st.key) continue;
        let c = counts.get(st.key);
        if (!c) counts.set(st.key, (c = new Map()));
        // a substitution proposes a spelling; a deletion is the empty spelling
        c.set(st.latin, (c.get(st.latin) ?? 0) + 1);
      }
    }
    const next: Correspondences = {};
    for (const [key, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const prior = new Map<string, number>();
      for (const [s, cost] of curated(key)) prior.set(s, Math.min(prior.get(s) ?? 1, cost));
      // candidates: the curated ones, plus spellings seen often enough (never a multi-letter guess)
      const cands = new Set(prior.keys());
      for (const [s, n] of c) if (!prior.has(s) && n >= minNew && s.length <= 1) cands.add(s);
      let z = 0;
      const q = new Map<string, number>();
      for (const s of cands) {
        const v = Math.exp(-lambda * (prior.get(s) ?? 1));
        q.set(s, v);
        z += v;
      }
      let total = 0;
      for (const s of cands) total += c.get(s) ?? 0;
      const p = new Map<string, number>();
      let pmax = 0;
      for (const s of cands) {
        const v = ((c.get(s) ?? 0) + (alpha * q.get(s)!) / z) / (total + alpha);
        p.set(s, v);
        if (v > pmax) pmax = v;
      }
      const list: Spelling[] = [];
      for (const s of [...cands].sort()) {
        // the data may show a spelling is common (cheaper) or propose a new one; it never makes a curated
        // spelling dearer: one list's convention (Hossein) says nothing against another's (Husayn)
        const cost = Math.min(1, prior.get(s) ?? 1, Math.log(pmax / p.get(s)!) / lambda);
        if (cost < 1) list.push([s, Math.round(cost * 100) / 100]);
      }
      next[key] = list;
    }
    table = next;
    useCorrespondences(table);
  }
  return { table, tokenPairs: tokenPairs.length };
}
