/**
 * Latin ↔ Latin comparison of romanised (mostly Persian) names.
 *
 * A romanisation key removes spelling freedom that never distinguishes two Persian names
 * (kh/x, gh/q, doubled letters, ou/oo/u, ee/i, w/v), then a weighted edit distance prices what is left.
 * Vowel quality is priced by how often it separates real names: o↔u is nearly free (Nasrollahi/Nasrullahi),
 * i↔a or i↔e is expensive (Karimi/Karami, Hamid/Hamed are different people: threat of a false merge).
 */
import { BASE, currentCorrespondences, onCorrespondencesChange } from './cross.ts';

/** Romanisation key of one normalised Latin token. Multi-letter sounds become one symbol. */
export function latinKey(token: string): string {
  const hit = keyCache.get(token);
  if (hit !== undefined) return hit;
  const k = computeLatinKey(token);
  if (keyCache.size > 100_000) keyCache.clear();
  keyCache.set(token, k);
  return k;
}
/** latinKey is called for every token by blocking, the list and the distance: its result is kept. */
const keyCache = new Map<string, string>();

function computeLatinKey(token: string): string {
  let s = token.toLowerCase();
  s = s
    // the diphthong over ی is spelled ai, ay, ei or ey indifferently: Heidari/Haidari, Leila/Layla
    // (not at a word end, where ai is a + ی: Beyzai/Beyzaie بیضایی, Rezai/Rezaei)
    .replace(/[ae][iy](?![aeiou]|$)/g, 'ei')
    .replace(/x/g, 'ks') // Roxana = Roksana; x as kh is introduced just below
    .replace(/kh/g, 'x')
    .replace(/gh|qh|q/g, 'G')
    .replace(/sch|sh/g, 'S')
    .replace(/tch|ch/g, 'C')
    .replace(/zh|jh/g, 'J')
    .replace(/^dj/, 'j') // Djalali; not inside compounds (Mohammadjavad)
    .replace(/^dh/, 'z') // Arabic-style ذ/ض at a word start: Dhakiri = Zakeri (never Persian-style there)
    .replace(/ph/g, 'f')
    .replace(/ck/g, 'k')
    .replace(/c/g, 'k')
    .replace(/w/g, 'v')
    .replace(/ou|oo|uu/g, 'u')
    // Russian ё after a consonant is yo or e indifferently (Fyodor/Fedor, Pyotr/Petr, Semyon/Semen)
    .replace(/(?<=[^aeiouy])yo/g, 'e')
    .replace(/ee|ea|ie(?=[^aeiou]|$)/g, 'i')
    .replace(/ay/g, 'ai')
    .replace(/ey/g, 'ei')
    .replace(/y(?![aeiou])/g, 'i')
    .replace(/(?<=[^aeiou])y(?=[aeiou])/g, 'i'); // Daryush = Dariush, Shajariyan = Shajarian
  // gemination is not written in Persian script, so doubled consonants carry no identity; a doubled
  // vowel (aa) marks a long vowel and is kept (Houman هومن vs Houmaan هومان)
  s = s.replace(/([^aeiou])\1+/g, '$1');
  return s;
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);
const isVowel = (c: string) => VOWELS.has(c);

/** Vowel substitution costs (symmetric). Unlisted pairs cost 0.8. */
const VOWEL_SUB: Record<string, number> = {
  ou: 0.2, // Mohammad/Muhammad, Nasrollahi/Nasrullahi, Hossein/Hussein
  ae: 0.5, // Sadeghi/Sadaghi are different names, Heidari/Haidari the same: undecidable, stay mid
  eo: 0.5,
  ao: 0.5,
  ei: 0.6, // Kazemi/Kazimi same, Hamed/Hamid different
  eu: 0.6,
  ai: 0.8, // Karimi/Karami
  iu: 0.8,
  au: 0.8,
  io: 0.8,
};

/** Near consonants (symmetric). */
const CONS_SUB: Record<string, number> = {
  Gg: 0.3, Gk: 0.5, gk: 0.7, xh: 0.5, Jj: 0.3, Jz: 0.5, CS: 0.6, fv: 0.8, bp: 0.8, mn: 0.8, dt: 0.8, sz: 0.7, jg: 0.7,
  sS: 0.7, xk: 0.6,
};

/**
 * Among romanisations, learnt through Persian (issue 17): two Latin consonants are as close as the cheapest Persian
 * letter that both may spell, by the learnt correspondences (cross.ts): ق is gh/q/g/k, so G↔g 0.3 and G↔k 0.5; ن is
 * n or m (0.5), ز is z or s (0.5). Only consonants: between vowels the curated costs decide (Hamid/Hamed).
 */
let pivot: Map<string, number> | null = null;
function buildPivot(): Map<string, number> {
  const out = new Map<string, number>();
  const lists: Array<ReadonlyArray<readonly [string, number]>> = [...Object.values(BASE), ...Object.values(currentCorrespondences())];
  for (const list of lists) {
    const sym: Array<[string, number]> = [];
    for (const [s, c] of list) {
      if (!s) continue;
      const k = latinKey(s);
      if (k.length === 1 && !isVowel(k)) sym.push([k, c]);
    }
    for (const [x, cx] of sym) {
      for (const [y, cy] of sym) {
        if (x >= y) continue;
        const k = x + y;
        out.set(k, Math.min(out.get(k) ?? 1, cx + cy));
      }
    }
  }
  return out;
}
onCorrespondencesChange(() => (pivot = null));
function pivotCost(a: string, b: string): number {
  pivot ??= buildPivot();
  return pivot.get(a < b ? a + b : b + a) ?? 1;
}

/**
 * Arabic-style romanisation (issue 17): the short vowels are written a/i/u where Persian-style writes a/e/o
 * (Husayn Hossein, Sipihri Sepehri, Ghulam Gholam, Tahira Tahereh). Between a name in that style and one in the
 * Persian style, e↔i and o↔u are the systematic correspondence, not a different name.
 */
const ARABIC_VOWEL_SUB: Record<string, number> = { ei: 0.15, ou: 0.1, ae: 0.3, ao: 0.5, eu: 0.5 };
let crossStyle = false;

function subCost(a: string, b: string, final: boolean): number {
  if (a === b) return 0;
  const va = isVowel(a);
  const vb = isVowel(b);
  if (crossStyle && va && vb) {
    const k = a < b ? a + b : b + a;
    // a final ه is -a in Arabic style (Tahira, Saffarzada)
    if (final) return k === 'ae' ? 0.3 : 0.8;
    const c = ARABIC_VOWEL_SUB[k];
    if (c !== undefined) return c;
  }
  // a final vowel is a written letter (ا/ه/ی): Mehrana ≠ Mehraneh
  if (va && vb) return final ? 0.8 : (VOWEL_SUB[a < b ? a + b : b + a] ?? 0.8);
  if (va !== vb) return 1;
  // ض/ذ/ظ: z in Persian style, d/dh in Arabic style (Reza/Rida, Zakeri/Dhakiri)
  if (crossStyle && ((a === 'z' && b === 'd') || (a === 'd' && b === 'z'))) return 0.2;
  return Math.min(CONS_SUB[a + b] ?? CONS_SUB[b + a] ?? 1, pivotCost(a, b));
}

function indelCost(s: string, i: number): number {
  const c = s[i]!;
  const prev = s[i - 1];
  const next = s[i + 1];
  if (isVowel(c)) {
    // a vowel next to another vowel is spelling noise (Saeid/Said); a lone short vowel is unwritten in
    // Persian but still a different pronunciation (Sahar/Sahra), so it costs half
    // a doubled vowel marks a long vowel, which a single letter may spell too (Vafaa/Vafa وفا, Kaar/Kar کار):
    // spelling freedom, not another name (the list keeps Houman/Houmaan, two names, apart)
    if (prev === c || next === c) return 0.2;
    // a vowel at a word edge is a written letter in Persian (ا, ه, ی): Bahar/Bahara/Bahareh are three names
    if (i === 0 || i === s.length - 1 || (i === s.length - 2 && next === 'h')) return 0.8;
    // an e beside another vowel is transcription noise for a hamza/ayn (Saeid/Said, Esmaeil/Esmail)
    if (c === 'e' && ((prev && isVowel(prev)) || (next && isVowel(next)))) return 0.2;
    return c === 'i' || c === 'u' ? 0.7 : 0.6;
  }
  if (c === 'h' && i === s.length - 1 && prev && isVowel(prev)) return 0.1; // Zahrah, Azadeh/Azade
  if (c === 'h' && prev === 'e' && next === undefined) return 0.1;
  if (c === 'y' && prev && next && isVowel(prev) && isVowel(next)) return 0.1; // a glide: Ziya/Zia
  if (c === 'i' || c === 'y') return 0.3;
  if (c === 'd' && next === 'j') return 0.2; // French-style dj for ج: Lahidji/Lahiji
  return 1;
}

const HAMZA_SUB = 0.2;
const INITIAL_EI = 0.3;
const inVowelRun = (s: string, i: number) => isVowel(s[i]!) && ((i > 0 && isVowel(s[i - 1]!)) || (i + 1 < s.length && isVowel(s[i + 1]!)));
const isEI = (x: string, y: string) => (x === 'e' && y === 'i') || (x === 'i' && y === 'e');

/** Weighted edit distance between two romanisation keys. */
export function latinDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  let prev = new Float64Array(m + 1);
  let cur = new Float64Array(m + 1);
  for (let j = 1; j <= m; j++) prev[j] = prev[j - 1]! + indelCost(b, j - 1);
  for (let i = 1; i <= n; i++) {
    cur[0] = prev[0]! + indelCost(a, i - 1);
    for (let j = 1; j <= m; j++) {
      const del = prev[j]! + indelCost(a, i - 1);
      const ins = cur[j - 1]! + indelCost(b, j - 1);
      const final = crossStyle
        ? i === n && j === m // Saleh/Salih: a vowel before a final consonant h is not a final vowel there
        : (i === n || (i === n - 1 && a[n - 1] === 'h')) && (j === m || (j === m - 1 && b[m - 1] === 'h'));
      let sc = subCost(a[i - 1]!, b[j - 1]!, final);
      // a word-initial e or i spells the same alef or ayn in the Persian and the Arabic style (Ebadi/Ibadi, Ehsan/Ihsan)
      if (i === 1 && j === 1 && sc > INITIAL_EI && isEI(a[0]!, b[0]!) && n > 2 && m > 2) sc = INITIAL_EI;
      // e↔i inside a run of vowels is how a hamza or ayn is transcribed (Daei/Dayi دایی, Rezaei/Rezaii)
      if (sc > HAMZA_SUB && isEI(a[i - 1]!, b[j - 1]!) && inVowelRun(a, i - 1) && inVowelRun(b, j - 1)) sc = HAMZA_SUB;
      const sub = prev[j - 1]! + sc;
      cur[j] = Math.min(del, ins, sub);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m]!;
}

/**
 * Similarity in [0,1] of two normalised Latin tokens. `styles` says the two names are in different
 * romanisation styles (one Arabic-style, see arabicStyle): e↔i, o↔u, final a↔e are then cheap.
 */
export function latinSimilarity(a: string, b: string, styles = false): number {
  const ka = latinKey(a);
  const kb = latinKey(b);
  if (ka === kb) return 1;
  const len = Math.max(ka.length, kb.length);
  if (len === 0) return 0;
  crossStyle = styles;
  try {
    return Math.max(0, 1 - latinDistance(ka, kb) / len);
  } finally {
    crossStyle = false;
  }
}

/**
 * Is a name (its Latin tokens, honorifics left out) written in the Arabic style? No e or o in any token
 * (after latinKey: ee, ei are i-sounds) and at least one mark of that style: a u, a q, a dh, or an apostrophe for
 * ayn/hamza typed by the signer (Husayn, Qurbani, Dhakiri, Rida'i). Persian-style names almost always carry an e
 * or an o (Hossein, Gholam, Sepehri); a name with neither and no mark (Hamid Karimi) is left undecided (false).
 */
export function arabicStyle(rawLatinTokens: string[], apostrophe = false): boolean {
  if (rawLatinTokens.length === 0) return false;
  let mark = apostrophe;
  for (const t of rawLatinTokens) {
    const k = latinKey(t);
    if (/[eo]/.test(t.replace(/ee/g, 'i'))) return false;
    if (/u/.test(k) || /q|dh/.test(t)) mark = true;
  }
  return mark;
}
