/**
 * Whole-name comparison: token by token, never whole-string (research §1.5: "محمود رزاقی" vs
 * "Mohammad Razzaghi" scores 0.87 as one string, yet محمود ≠ Mohammad).
 *
 * 1. Each token is compared with the right metric for its script pair (persian.ts, latin.ts, cross.ts),
 *    after the variant list (variants.ts), which both confirms (Hossein = Hussein = حسین) and refutes
 *    (Hassan ≠ Hossein) regardless of spelling distance.
 * 2. A per-token soft cliff: a token that is only "close" counts for little, so one near-miss token in an
 *    otherwise identical name (Hamid/Hamed Karimi) cannot reach the likely-duplicate band.
 * 3. Tokens are aligned order-insensitively with an exact search over at most 8×8 tokens; a token may also
 *    match two adjacent tokens joined (Mohammadreza = Mohammad Reza, قربانعلی = Ghorban Ali).
 * 4. Score = matched weight / total weight of both names. An unmatched token weighs fully (a middle name:
 *    "Mohammad Sharifi" vs "Mohammad Reza Sharifi" → 0.8, review, not duplicate) except honorifics
 *    (Seyed, Haj, Dr, Mir), which weigh little.
 */
import { crossMatch, onCorrespondencesChange } from './cross.ts';
import { arabicStyle, latinSimilarity } from './latin.ts';
import { arabicNameMarks, hasArticle, tokenize, nameKey, type Script } from './normalise.ts';
import { persianSimilarity } from './persian.ts';
import { COMMON_IDS, isOptionalId, onVariantListChange, variantId, weightOfId } from './variants.ts';

/** Score at or above which two names are judged the same person (dedupe, clustering). */
export const LIKELY_DUPLICATE = 0.85;
/** Score at or above which a pair is worth an organiser's look. */
export const REVIEW = 0.75;

export type Band = 'likely-duplicate' | 'review' | 'different';

export function bandOf(score: number): Band {
  return score >= LIKELY_DUPLICATE ? 'likely-duplicate' : score >= REVIEW ? 'review' : 'different';
}

export interface Token {
  text: string;
  script: Script;
  /** Variant-list id, if the token is a known name or name+suffix. */
  id: string | null;
  weight: number;
  /** Latin token of a name written in the Arabic style of romanisation (latin.ts arabicStyle). */
  arabic?: boolean;
  /** An Arabic-script word after the first that starts with the article ال before four letters or more (الناصر). */
  article?: boolean;
}

export interface PreparedName {
  /** Exactly what was typed. */
  raw: string;
  /** Spacing-insensitive exact key. */
  key: string;
  tokens: Token[];
  /** Scripts present among the tokens. */
  scripts: Set<Script>;
}

const MAX_TOKENS = 8;
const JOIN_PENALTY = 0.03;

function makeToken(text: string, script: Script): Token {
  const id = variantId(text, script);
  return { text, script, id, weight: weightOfId(id) };
}

const ZWNJ = '\u200C';

/**
 * Two adjacent tokens as one (Mohammad Reza → Mohammadreza). Persian tokens keep a ZWNJ at the seam so the
 * cross-script comparison still sees the end of the first word (قره باغ = Gharabagh: word-final ه).
 */
function joinTokens(a: Token, b: Token): Token {
  if (a.script !== 'arab') {
    const t = makeToken(a.text + b.text, a.script);
    if (a.arabic) t.arabic = true;
    return t;
  }
  const joined = a.text + b.text;
  const t: Token = { text: a.text + ZWNJ + b.text, script: 'arab', id: variantId(joined, 'arab'), weight: 1 };
  if (a.arabic || b.arabic) t.arabic = true;
  return t;
}

export function prepareName(name: string): PreparedName {
  const toks = tokenize(name)
    .slice(0, MAX_TOKENS)
    .map((t) => {
      const tok = makeToken(t.text, t.script);
      if (t.arabicLang) tok.arabic = true;
      return tok;
    });
  // the article is often left out in Latin (بشار الاسد Bashar Assad, جمال عبد الناصر Gamal Abdel Nasser)
  toks.forEach((t, i) => {
    if (hasArticle(t.text, t.script, i)) t.article = true;
  });
  // a name is written in one language: its marks (normalise.ts arabicNameMarks) make all its Arabic-script words Arabic
  if (arabicNameMarks(name, toks)) for (const t of toks) if (t.script === 'arab') t.arabic = true;
  const latin = toks.filter((t) => t.script === 'latn' && !isOptionalId(t.id)).map((t) => t.text);
  if (arabicStyle(latin, /\p{L}['\u2019\u02BC\u02BF\u02BE]\p{L}/u.test(name))) for (const t of toks) if (t.script === 'latn') t.arabic = true;
  return { raw: name, key: nameKey(name), tokens: toks, scripts: new Set(toks.map((t) => t.script)) };
}

/** Below these token similarities a same-script token pair counts as a near miss (soft cliff). */
const CLIFF: Record<string, number> = { arabarab: 0.92, latnlatn: 0.92 };
const NEAR_MISS_FACTOR = 0.5;
const ARTICLE_DROP = 0.3;
const CROSS_STYLE_CLIFF = 0.85;

const simCache = new Map<string, number>();
onCorrespondencesChange(() => simCache.clear());
onVariantListChange(() => simCache.clear());

/**
 * Token similarity in [0,1] after the soft cliff: a near miss counts for half its similarity, so one
 * close-but-different token cannot carry a name into the likely-duplicate band. Exported for tests.
 */
export function tokenSimilarity(a: Token, b: Token): number {
  if (a.text === b.text && a.script === b.script) return 1;
  if (a.id !== null && b.id !== null) return a.id === b.id ? 1 : 0;
  const k = a.script + (a.arabic ? '*' : '') + (a.article ? '^' : '') + a.text + '\u0000' + b.script + (b.arabic ? '*' : '') + (b.article ? '^' : '') + b.text;
  const hit = simCache.get(k);
  if (hit !== undefined) return hit;
  let s: number;
  let near: boolean;
  if (a.script === 'arab' && b.script === 'arab') {
    const at = a.text.replace(/\u200C/g, '');
    const bt = b.text.replace(/\u200C/g, '');
    s = at === bt ? 1 : persianSimilarity(at, bt);
    near = s < CLIFF.arabarab!;
  } else if (a.script === 'latn' && b.script === 'latn') {
    const styles = !!a.arabic !== !!b.arabic;
    s = latinSimilarity(a.text, b.text, styles);
    // across romanisation styles every short vowel may differ (Sipihri/Sepehri): a lower cliff
    near = s < (styles ? CROSS_STYLE_CLIFF : CLIFF.latnlatn!);
  } else if (a.script !== b.script && (a.script === 'arab' || b.script === 'arab') && a.script !== 'other' && b.script !== 'other') {
    // Arabic-style costs when either side is in that style: the romanisation, or a word written in Arabic/Urdu/Hebrew
    const [fa, la] = a.script === 'arab' ? [a, b] : [b, a];
    const arabic = !!a.arabic || !!b.arabic;
    ({ sim: s, nearMiss: near } = crossMatch(fa.text, la.text, arabic));
    if (fa.article) {
      // the article left out costs ARTICLE_DROP, counted over the whole word
      const stem = crossMatch(fa.text.slice(2), la.text, arabic);
      const n = [...fa.text].filter((c) => c !== ZWNJ).length;
      const alt = 1 - ((1 - stem.sim) * (n - 2) + ARTICLE_DROP) / n;
      if (!stem.nearMiss && alt > s) {
        s = alt;
        near = alt < 0.8;
      }
    }
  } else {
    s = 0; // other scripts: exact match only (handled above)
    near = true;
  }
  const v = near ? s * NEAR_MISS_FACTOR : s;
  if (simCache.size > 500_000) simCache.clear();
  simCache.set(k, v);
  return v;
}

interface Segment {
  start: number;
  len: 1 | 2;
  tok: Token;
  weight: number;
}

function segments(tokens: Token[]): Segment[] {
  const out: Segment[] = tokens.map((t, i) => ({ start: i, len: 1 as const, tok: t, weight: t.weight }));
  for (let i = 0; i + 1 < tokens.length; i++) {
    const a = tokens[i]!;
    const b = tokens[i + 1]!;
    if (a.script !== b.script || a.script === 'other') continue;
    out.push({ start: i, len: 2, tok: joinTokens(a, b), weight: a.weight + b.weight });
  }
  return out;
}

/** Does the Arabic article sit at the seam of tokens i and i+1 (Abdel | Nasser, Abd | al-Nasser, عبد | الناصر)? */
function articleSeam(tokens: Token[], i: number): boolean {
  const a = tokens[i]!.text;
  const b = tokens[i + 1]!.text;
  if (tokens[i]!.script === 'arab') return b.length > 3 && b.startsWith('\u0627\u0644');
  // the article alone (al, el, ul), or glued to Abd/Abu before it (Abdel, Abdul, Abol)
  return /^(?:[aeu]l|abd?[aeiou]l)$/.test(a);
}

/**
 * Best alignment value of two token lists: the sum over matched segment pairs of
 * (weightA + weightB) × similarity. Exact search with memo over (position in A, used mask of B).
 */
function alignValue(A: Token[], B: Token[]): number {
  const m = A.length;
  const n = B.length;
  const segA = segments(A);
  const segB = segments(B);
  const singlesB = segB.filter((s) => s.len === 1);
  const pairsB = segB.filter((s) => s.len === 2);
  const startsA: Segment[][] = Array.from({ length: m }, () => []);
  for (const s of segA) startsA[s.start]!.push(s);
  const seamA = A.map((_, i) => i + 1 < m && articleSeam(A, i));
  const seamB = B.map((_, i) => i + 1 < n && articleSeam(B, i));
  const simMemo = new Map<string, number>();
  const sim = (x: Segment, y: Segment) => {
    const k = `${x.start},${x.len},${y.start},${y.len}`;
    let v = simMemo.get(k);
    if (v === undefined) {
      v = (x.weight + y.weight) * tokenSimilarity(x.tok, y.tok) - (x.len + y.len > 2 ? JOIN_PENALTY : 0);
      simMemo.set(k, v);
    }
    return v;
  };
  const size = 1 << n;
  const memo = new Float64Array((m + 1) * size).fill(-1);
  const best = (i: number, mask: number): number => {
    if (i >= m) return 0;
    const mi = i * size + mask;
    const cached = memo[mi]!;
    if (cached >= 0) return cached;
    let v = best(i + 1, mask); // A[i] unmatched
    for (const sa of startsA[i]!) {
      const nextI = i + sa.len;
      for (const sb of singlesB) {
        const bit = 1 << sb.start;
        if (mask & bit) continue;
        const s = sim(sa, sb);
        if (s <= 0) continue;
        const c = s + best(nextI, mask | bit);
        if (c > v) v = c;
      }
      // two joined tokens meet two joined tokens only where the Arabic article moves the word boundary
      // (Abdel Nasser = Abd al-Nasser = عبد الناصر); elsewhere a join would hide a near miss (Hamid/Hamed Karimi)
      if (sa.len === 1 || seamA[sa.start]) {
        for (const sb of pairsB) {
          if (sa.len === 2 && !seamB[sb.start]) continue;
          const bits = (1 << sb.start) | (1 << (sb.start + 1));
          if (mask & bits) continue;
          const s = sim(sa, sb);
          if (s <= 0) continue;
          const c = s + best(nextI, mask | bits);
          if (c > v) v = c;
        }
      }
    }
    memo[mi] = v;
    return v;
  };
  return best(0, 0);
}

/** Taken off the score of two different spellings when both names are made of common names only. */
export const COMMON_PENALTY = 0.06;

/** A name whose every part (titles aside) is a frequent given name or surname: Ali Rezaei, Fatemeh Mohammadi. */
export function isCommonName(n: PreparedName): boolean {
  const core = n.tokens.filter((t) => t.weight > 0 && !isOptionalId(t.id));
  return core.length > 0 && core.every((t) => t.id !== null && COMMON_IDS.has(t.id));
}

/**
 * Similarity of two prepared names in [0,1]. Two names made only of common names (isCommonName) lose
 * COMMON_PENALTY unless every part matched fully: many people are called Ali Rezaei, so a spelling variant or an
 * extra honorific is weaker evidence there than between two rare names.
 */
export function scorePrepared(a: PreparedName, b: PreparedName): number {
  if (a.tokens.length === 0 || b.tokens.length === 0) return 0;
  if (a.key === b.key) return 1;
  const s = scoreAligned(a, b);
  // a full alignment (every part the same name, in any script or spelling the list knows) is not weakened
  return s > 0 && s < 1 && isCommonName(a) && isCommonName(b) ? Math.max(0, s - COMMON_PENALTY) : s;
}

function scoreAligned(a: PreparedName, b: PreparedName): number {
  let total = 0;
  for (const t of a.tokens) total += t.weight;
  for (const t of b.tokens) total += t.weight;
  // a name of titles only (Dr.) has no weight: nothing to compare
  if (total === 0) return 0;
  const v = alignValue(a.tokens, b.tokens);
  return Math.max(0, Math.min(1, v / total));
}

export interface NameComparison {
  score: number;
  band: Band;
}

/** Compare two names as typed (any scripts). */
export function compareNames(a: string, b: string): NameComparison {
  const score = scorePrepared(prepareName(a), prepareName(b));
  return { score, band: bandOf(score) };
}

export interface Person {
  name: string;
  nameAlt?: string | null;
}

export interface PreparedPerson {
  names: PreparedName[];
}

export function preparePerson(p: Person): PreparedPerson {
  const names = [prepareName(p.name)];
  if (p.nameAlt?.trim()) names.push(prepareName(p.nameAlt));
  return { names: names.filter((n) => n.tokens.length > 0) };
}

function isPurely(n: PreparedName, s: Script) {
  return n.scripts.size === 1 && n.scripts.has(s);
}

export interface PeopleComparison extends NameComparison {
  /** Which names decided: 'same-script' (both in a non-Latin script), 'cross-script' or 'latin'. */
  via: 'same-script' | 'cross-script' | 'latin' | 'none';
}

/**
 * Compare two people who may each give a name in a second script, using the best evidence:
 * two names in the same non-Latin script decide when available (Persian spelling separates Hamid/Hamed,
 * a romanisation cannot); otherwise the best cross-script or Latin comparison.
 */
export function comparePreparedPeople(a: PreparedPerson, b: PreparedPerson): PeopleComparison {
  let sameScript = -1;
  let other = -1;
  let via: PeopleComparison['via'] = 'none';
  let otherVia: PeopleComparison['via'] = 'none';
  for (const x of a.names) {
    for (const y of b.names) {
      const s = scorePrepared(x, y);
      const bothNonLatin =
        !x.scripts.has('latn') && !y.scripts.has('latn') && x.scripts.size === 1 && y.scripts.size === 1 &&
        [...x.scripts][0] === [...y.scripts][0];
      if (bothNonLatin) {
        if (s > sameScript) sameScript = s;
      } else if (s > other) {
        other = s;
        otherVia = isPurely(x, 'latn') && isPurely(y, 'latn') ? 'latin' : 'cross-script';
      }
    }
  }
  let score: number;
  if (sameScript >= 0) {
    score = sameScript;
    via = 'same-script';
  } else if (other >= 0) {
    score = other;
    via = otherVia;
  } else score = 0;
  return { score, band: bandOf(score), via };
}

export function comparePeople(a: Person, b: Person): PeopleComparison {
  return comparePreparedPeople(preparePerson(a), preparePerson(b));
}
