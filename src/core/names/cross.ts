/**
 * Persian ↔ Latin token comparison: a weighted one-to-many edit distance (Freeman et al. 2006 style,
 * Persian costs from research/anchor-names.md §1.5). Each Persian letter may be spelled by one of several
 * Latin strings at a cost; Latin letters with no Persian counterpart are priced by what they are:
 * short vowels a/e/o are unwritten in Persian so they are cheap, i/u are long vowels that must be backed by
 * ی/و so they are dear (threat: Hamid matching حامد), doubled consonants are free (gemination is unwritten).
 *
 * Inputs are normalised tokens (normalise.ts): folded Persian letters, lower-case Latin without diacritics.
 */

import { LEARNT_CORRESPONDENCES } from './learnt.ts';

export type Spelling = readonly [latin: string, cost: number];

/**
 * Learnt correspondences (learn.ts, scripts/learn-names.ts): for a Persian letter at a position ('^' word-initial,
 * '$' word-final, '' inside), the Latin spellings and their costs estimated from pair data with the curated BASE
 * costs as a Dirichlet prior. They replace BASE for that letter and position; the context rules below stay curated.
 */
export type Correspondences = Record<string, ReadonlyArray<Spelling>>;

let learnt: Correspondences = LEARNT_CORRESPONDENCES;

/** The learnt table in use. */
export function currentCorrespondences(): Correspondences {
  return learnt;
}

/** Use another learnt table (cross-validation folds; null = the curated costs alone). Clears the caches. */
export function useCorrespondences(table: Correspondences | null): void {
  learnt = table ?? {};
  cache.clear();
  for (const f of cacheListeners) f();
}
const cacheListeners: Array<() => void> = [];
/** Lets the matcher drop its own token-similarity cache when the table changes. */
export function onCorrespondencesChange(f: () => void): void {
  cacheListeners.push(f);
}

/** Position class of letter i: '^' first, '$' last, '' inside (a ZWNJ seam is a word boundary). */
export function positionKey(ch: string, first: boolean, last: boolean): string {
  return first ? '^' + ch : last ? ch + '$' : ch;
}

const ZWNJ = '\u200C';

const S = (...pairs: Array<[string, number]>): Spelling[] => pairs;

/** Context-free spellings (the curated prior). Context (word start/end, article ال) adds more in `spellingsOf`. */
export const BASE: Record<string, Spelling[]> = {
  'ا': S(['a', 0], ['aa', 0], ['o', 0.6], ['e', 0.8]),
  'ب': S(['b', 0], ['p', 0.8]),
  'پ': S(['p', 0]),
  'ت': S(['t', 0]),
  'ث': S(['s', 0], ['th', 0.3]),
  'ج': S(['j', 0], ['dj', 0.1], ['g', 0.5], ['dzh', 0.3]),
  'چ': S(['ch', 0], ['tch', 0.1], ['tsch', 0.2], ['c', 0.4]),
  'ح': S(['h', 0], ['', 0.6]),
  'خ': S(['kh', 0], ['x', 0.3], ['h', 0.5], ['ch', 0.5]),
  'د': S(['d', 0], ['t', 0.7]),
  'ذ': S(['z', 0], ['th', 0.5], ['dh', 0.3], ['d', 0.6]),
  'ر': S(['r', 0]),
  'ز': S(['z', 0], ['s', 0.5]),
  'ژ': S(['zh', 0], ['j', 0.3], ['jh', 0.2], ['g', 0.5]),
  'س': S(['s', 0], ['c', 0.5]),
  'ش': S(['sh', 0], ['sch', 0.2], ['ch', 0.4], ['s', 0.6]),
  'ص': S(['s', 0]),
  'ض': S(['z', 0], ['dh', 0.3], ['d', 0.5]),
  'ط': S(['t', 0]),
  'ظ': S(['z', 0], ['dh', 0.5]),
  // ayn carries a vowel in writing, so it may absorb one; it is often not romanised at all
  'ع': S(['', 0.1], ['a', 0.05], ['e', 0.05], ['o', 0.05], ['aa', 0.1], ['i', 0.3], ['u', 0.3]),
  'غ': S(['gh', 0], ['q', 0.1], ['g', 0.3], ['r', 0.7]),
  'ف': S(['f', 0], ['ph', 0.1], ['v', 0.6]),
  'ق': S(['gh', 0], ['q', 0], ['qh', 0.1], ['g', 0.3], ['k', 0.5]),
  'ک': S(['k', 0], ['c', 0.3], ['ck', 0.1], ['q', 0.6], ['kh', 0.7]),
  'گ': S(['g', 0], ['gu', 0.3], ['k', 0.7]),
  'ل': S(['l', 0]),
  'م': S(['m', 0]),
  'ن': S(['n', 0], ['m', 0.5]),
  // و is a consonant (v), a vowel (u) or both at once in داود Davoud
  'و': S(['v', 0], ['u', 0], ['ou', 0], ['oo', 0], ['w', 0.1], ['ow', 0.1], ['ov', 0.1], ['o', 0.3], ['vou', 0.2], ['vu', 0.2], ['voo', 0.2], ['', 0.6]),
  'ه': S(['h', 0], ['', 0.6]),
  'ی': S(['i', 0], ['y', 0], ['ee', 0], ['ei', 0], ['ey', 0], ['iy', 0.1], ['ay', 0.1], ['ai', 0.2], ['ie', 0.2], ['e', 0.7], ['', 0.7]),
  'ء': S(['', 0]),
  // Sorani Kurdish writes its vowels: ە e/a, ۆ o, ێ ê (Sherko Bekas شێرکۆ بێکەس)
  'ە': S(['e', 0], ['a', 0.1], ['eh', 0.1], ['', 0.4]),
  'ۆ': S(['o', 0], ['u', 0.2], ['ou', 0.1], ['w', 0.3]),
  'ێ': S(['e', 0], ['ei', 0.1], ['ey', 0.1], ['i', 0.3], ['y', 0.3]),
};

const cache = new Map<string, Spelling[][]>();

/** Spellings of each letter of a Persian token, with context rules applied. */
export function spellingsOf(fa: string, arabic = false): Spelling[][] {
  const ck = arabic ? '\u0001' + fa : fa;
  const hit = cache.get(ck);
  if (hit) return hit;
  const letters = [...fa];
  const out: Spelling[][] = letters.map((ch, i) => {
    // a ZWNJ marks where two tokens were joined (حیدر + زاده): a word boundary that costs nothing
    if (ch === ZWNJ) return S(['', 0]);
    const next = letters[i + 1] === ZWNJ ? undefined : letters[i + 1];
    const prev = letters[i - 1] === ZWNJ ? undefined : letters[i - 1];
    const last = next === undefined;
    const first = prev === undefined;
    const list: Spelling[] = [...(learnt[positionKey(ch, first, last)] ?? BASE[ch] ?? S(['', 1]))];
    if (ch === 'ا') {
      if (first) {
        // word-initial alef is only a vowel carrier: اِ e, اُ o; before ی/و it is silent (ایرج Iraj, اومید)
        list.push(['e', 0.2], ['o', 0.2], ['i', 0.4], ['u', 0.4], ['', next === 'ی' || next === 'و' ? 0.05 : 0.4]);
      } else {
        list.push(['', 0.7]); // a long a is nearly always written in Latin too
        // the article ال inside compounds: Abdol/Abdul, Nasrollah, Abolfazl, Zolfaghar (silent after و)
        if (next === 'ل') list.push(['o', 0.1], ['u', 0.1], ['e', 0.1], ['', 0.2]);
      }
    }
    // a final ه is the vowel e: written in Latin as e/eh; missing or as a it is another name (ساره Sareh ≠ Sara)
    if (ch === 'ه' && last) list.push(['e', 0.1], ['eh', 0], ['ah', 0.1], ['a', 0.8], ['', 0.9]);
    if (ch === 'ی') {
      if (last) list.push(['a', 0.3], ['ie', 0.1]); // مصطفی Mostafa, موسی Musa
      if (prev === 'ا') list.push(['e', 0.1], ['ee', 0.1]); // hamza-yeh folded to ی: میرزائی Mirzaei
      // ئ folded to ی before another ی is often not romanised: طباطبائی Tabatabaee, رئیس Rais
      if (next === 'ی') list.push(['', 0.2]);
    }
    if (ch === 'و' && prev === 'خ' && next === 'ا') list.push(['', 0.1]); // خوا is pronounced kha: Khajeh
    if (ch === 'و' && first) list.push(['vo', 0.1]);
    if (ch === 'ک' && next === 'س') list.push(['x', 0.1]); // Roxana رکسانا: x spells ک+س
    if (arabic) {
      // Arabic-style romanisation: ta marbuta -a/-ah, ض/ذ/ظ as d/dh, ث as th (Tahira, Rida, Dhakiri, Thabit)
      if (ch === 'ه' && last) list.push(['a', 0.1], ['ah', 0.05]);
      if (ch === 'ض') list.push(['d', 0.1], ['dh', 0]);
      if (ch === 'ذ' || ch === 'ظ') list.push(['dh', 0], ['th', 0.2], ['d', 0.3]);
      if (ch === 'ث') list.push(['th', 0]);
      // Egyptian and Levantine romanisation writes ج as g (Gamal, Naguib, Gibran): cheap in the Arabic style only
      if (ch === 'ج') list.push(['g', 0.1], ['gu', 0.15]);
      // a final ه may carry an unwritten long a (طه Taha)
      if (ch === 'ه' && last) list.push(['ha', 0.1]);
    }
    if (ch === 'س' && prev === 'ک') list.push(['', 0.1]);
    return list;
  });
  if (cache.size > 50_000) cache.clear();
  cache.set(ck, out);
  return out;
}

const SHORT = new Set(['a', 'e', 'o']);
const DIGRAPH_FIRST = new Set(['s', 'k', 'g', 'c', 'z']);

/** Cost of a Latin letter that no Persian letter accounts for. */
export function latinInsertCost(l: string, j: number, arabic = false): number {
  const c = l[j]!;
  const edge = j === 0 || j === l.length - 1;
  // Arabic style writes the unwritten short vowels as a/i/u: Sipihri سپهری, Ghulam غلام
  if (arabic && !edge && (c === 'i' || c === 'u')) return 0.2;
  if (SHORT.has(c)) return edge ? 0.8 : 0.15; // a vowel at a word edge is a written letter in Persian
  if (c === 'u') return edge ? 0.8 : 0.4; // often a short o in Arabic/Turkic-style spelling (Sultani سلطانی)
  if (c === 'i') return edge ? 0.8 : 0.7; // a long i is written ی: Hamid ≠ حامد
  if (j > 0 && l[j - 1] === c) return 0.05; // doubled consonant: gemination is unwritten
  // a final h after a vowel spells a final ه (Mahdieh): unmatched, it is a missing letter
  if (c === 'h' && j === l.length - 1 && /[aeiou]/.test(l[j - 1] ?? '')) return 0.8;
  if (c === 'y') return 0.4;
  if (c === 'w') return 0.6;
  return 1;
}

/**
 * Operations costing at least this much are "hard" (a letter missing or wrong), cheaper ones are spelling
 * freedom (unwritten short vowels, doubled letters, kh/x…). A token with hard cost ≥ HARD_LIMIT is a near
 * miss however long it is, while a long compound may collect many soft costs (Mohammadhassan).
 */
const HARD_OP = 0.5;
export const HARD_LIMIT = 0.7;

export interface CrossCost {
  cost: number;
  hard: number;
}

// DP rows reused across calls (names are short; grown on demand): the comparison runs millions of times
let bufSize = 0;
let rowC = new Float64Array(0);
let rowH = new Float64Array(0);
let nextC = new Float64Array(0);
let nextH = new Float64Array(0);
let insC = new Float64Array(0);

/** Minimum cost of spelling Persian token `fa` as Latin token `la`, with the hard part of that cost. */
export function crossCost(fa: string, la: string, arabic = false): CrossCost {
  const sp = spellingsOf(fa, arabic);
  const n = sp.length;
  const m = la.length;
  if (m + 1 > bufSize) {
    bufSize = Math.max(64, m + 1);
    rowC = new Float64Array(bufSize);
    rowH = new Float64Array(bufSize);
    nextC = new Float64Array(bufSize);
    nextH = new Float64Array(bufSize);
    insC = new Float64Array(bufSize);
  }
  for (let j = 0; j < m; j++) insC[j] = latinInsertCost(la, j, arabic);
  // dp over (i Persian letters consumed, j Latin characters consumed); ties prefer less hard cost
  let c0 = rowC;
  let h0 = rowH;
  let c1 = nextC;
  let h1 = nextH;
  c0[0] = 0;
  h0[0] = 0;
  for (let j = 1; j <= m; j++) {
    const c = insC[j - 1]!;
    c0[j] = c0[j - 1]! + c;
    h0[j] = h0[j - 1]! + (c >= HARD_OP ? c : 0);
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= m; j++) {
      c1[j] = Infinity;
      h1[j] = 0;
    }
    const spells = sp[i]!;
    for (let j = 0; j <= m; j++) {
      const base = c0[j]!;
      if (base === Infinity) continue;
      const bh = h0[j]!;
      // generic deletion and substitution (cost 1, hard)
      let v = base + 1;
      if (v < c1[j]! - 1e-12 || (v <= c1[j]! + 1e-12 && bh + 1 < h1[j]!)) {
        c1[j] = v;
        h1[j] = bh + 1;
      }
      if (j < m && (v < c1[j + 1]! - 1e-12 || (v <= c1[j + 1]! + 1e-12 && bh + 1 < h1[j + 1]!))) {
        c1[j + 1] = v;
        h1[j + 1] = bh + 1;
      }
      for (let k = 0; k < spells.length; k++) {
        const sk = spells[k]!;
        const str = sk[0];
        let c = sk[1];
        let to = j;
        if (str.length > 0) {
          if (j + str.length > m || !la.startsWith(str, j)) continue;
          // splitting a Latin digraph (s|h, k|h, g|h…) between two Persian letters is suspicious:
          // without this سهیلا would spell "Shila"
          if (str.charCodeAt(0) === 104 /* h */ && j > 0 && DIGRAPH_FIRST.has(la[j - 1]!)) c += 0.3;
          to = j + str.length;
        }
        v = base + c;
        const hv = bh + (c >= HARD_OP ? c : 0);
        if (v < c1[to]! - 1e-12 || (v <= c1[to]! + 1e-12 && hv < h1[to]!)) {
          c1[to] = v;
          h1[to] = hv;
        }
      }
    }
    // unmatched Latin letters after this Persian letter
    for (let j = 1; j <= m; j++) {
      const c = insC[j - 1]!;
      const v = c1[j - 1]! + c;
      const hv = h1[j - 1]! + (c >= HARD_OP ? c : 0);
      if (v < c1[j]! - 1e-12 || (v <= c1[j]! + 1e-12 && hv < h1[j]!)) {
        c1[j] = v;
        h1[j] = hv;
      }
    }
    const tc = c0;
    const th = h0;
    c0 = c1;
    h0 = h1;
    c1 = tc;
    h1 = th;
  }
  return { cost: c0[m]!, hard: h0[m]! };
}

/** Number of Persian letters (a ZWNJ joining two tokens is not a letter). */
function letterCount(fa: string): number {
  let n = 0;
  for (const ch of fa) if (ch !== ZWNJ) n++;
  return n;
}

/** Similarity and whether the token pair is only a near miss (about one letter wrong: Bahar/بهاره). */
export function crossMatch(fa: string, la: string, arabic = false): { sim: number; nearMiss: boolean } {
  const n = letterCount(fa);
  if (n === 0 || la.length === 0) return { sim: 0, nearMiss: true };
  const { cost, hard } = crossCost(fa, la, arabic);
  const sim = Math.max(0, 1 - cost / n);
  return { sim, nearMiss: hard >= HARD_LIMIT || sim < 0.8 };
}
