/**
 * Blocking keys: short strings that two spellings of one person share, in either script, so that storage can
 * index them and a new signature is compared with a handful of candidates instead of every signer.
 *
 * Key = the consonant skeleton (research §1.5 step 9): both scripts map onto one consonant alphabet
 * {b p t s j C h X d z r S f k g l m n} (gh/q/غ/ق share g with گ); vowels and vowel letters (ا ع و ی, a e i o u y w v) are dropped,
 * so are a final h/ه; repeats collapse. محمد and Mohammad both give "mhmd".
 *
 * A single token's skeleton is far too common to block on (every Mohammad), so a multi-token name is keyed by
 * each *pair* of its token skeletons ("mhmd|Srf"): one differing token still leaves shared keys when the name
 * has three tokens, and an extra middle name or honorific never removes a key. Compound names are covered by
 * adding "views" where two adjacent tokens are joined (Mohammad Reza → mhmdrz, like Mohammadreza).
 */
import { arabicStyle, latinKey } from './latin.ts';
import { arabicNameMarks, hasArticle, tokenize, type NameToken } from './normalise.ts';
import { isOptionalId, variantId } from './variants.ts';

const FA_SKELETON: Record<string, string> = {
  'ب': 'b', 'پ': 'p', 'ت': 't', 'ط': 't', 'ث': 's', 'س': 's', 'ص': 's', 'ج': 'j', 'ژ': 'j', 'چ': 'C',
  'ح': 'h', 'ه': 'h', 'خ': 'X', 'د': 'd', 'ذ': 'z', 'ز': 'z', 'ض': 'z', 'ظ': 'z', 'ر': 'r', 'ش': 'S',
  'غ': 'g', 'ق': 'g', 'ف': 'f', 'ک': 'k', 'گ': 'g', 'ل': 'l', 'م': 'm', 'ن': 'n',
};

function collapse(s: string): string {
  return s.replace(/(.)\1+/g, '$1');
}

export function persianSkeleton(token: string): string {
  const t = token.endsWith('ه') ? token.slice(0, -1) : token;
  let out = '';
  for (const ch of t) out += FA_SKELETON[ch] ?? '';
  return collapse(out);
}

export function latinSkeleton(token: string): string {
  return latinSkeletons(token)[0]!;
}

/**
 * Latin skeletons of a token: the usual reading first, then (when different) the alternative reading where
 * a digraph is two letters (Eshagh = اسحاق, s|h) and a final h is a consonant (Farah = فرح, Saleh = صالح).
 */
export function latinSkeletons(token: string): string[] {
  const read = (k: string, keepFinalH: boolean) => {
    // gh/q and g share one class: a careless g for غ/ق (Asgar = Asghar) must still meet it
    let x = k.replace(/x/g, 'X').replace(/J/g, 'j').replace(/G/g, 'g');
    if (!keepFinalH && x.endsWith('h')) x = x.slice(0, -1);
    return collapse(x.replace(/[aeiouyv]/g, ''));
  };
  // latinKey maps kh→x, gh/q→G, sh→S, ch→C, zh→J, ph→f, c→k, w→v
  const lower = token.toLowerCase();
  const out = new Set([read(latinKey(lower), false), read(latinKey(lower), true)]);
  if (/.dj/.test(lower)) out.add(read(latinKey(lower.replace(/(?<=.)dj/g, 'j')), false)); // Lahidji = لاهیجی
  // each non-initial digraph read as two letters, one at a time
  const re = /(?<=.)([skcz])h/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(lower)) && out.size < 4) {
    const split = lower.slice(0, m.index + 1) + '\u0000' + lower.slice(m.index + 1);
    out.add(read(latinKey(split).replace(/\u0000/g, ''), false));
  }
  return [...out];
}

/**
 * Version of the key function below. Raise it whenever a change alters any key (skeleton classes, views,
 * transliteration): stored keys carry it, and the rekey job (use-cases/workers/rekey-names.ts) recomputes older
 * ones and re-checks those signatures for duplicates. 2: issue 17 (g/gh/q one class, other scripts, titles).
 * 3: Arabic readings (ج as g, the article left out, d for ض/ذ in Arabic-style Latin).
 */
export const KEY_VERSION = 3;

/**
 * Skeletons of one token. In a name written in Arabic (normalise.ts arabicNameMarks) ج may be romanised g (Gamal
 * جمال) and the article may be left out (الناصر Nasser); a Latin name in the Arabic style may write ض/ذ as d/dh
 * (Rida رضا): those readings are added.
 */
function tokenSkeletons(t: NameToken, i: number, arabicName: boolean, arabicLatin: boolean): string[] {
  if (t.script === 'arab') {
    const out = new Set([persianSkeleton(t.text)]);
    if (arabicName) {
      const stems = hasArticle(t.text, t.script, i) ? [t.text, t.text.slice(2)] : [t.text];
      for (const stem of stems) {
        out.add(persianSkeleton(stem));
        if (stem.includes('ج')) out.add(persianSkeleton(stem).replace(/j/g, 'g'));
      }
    }
    return [...out];
  }
  if (t.script === 'latn') {
    const out = latinSkeletons(t.text);
    if (arabicLatin && out[0]!.includes('d')) out.push(out[0]!.replace(/d/g, 'z'));
    return out;
  }
  return [t.text];
}

/** Every way of joining non-overlapping adjacent tokens (same script), the unjoined view first. */
function joinViews(toks: NameToken[], sk: string[][]): string[][][] {
  const out: string[][][] = [];
  const walk = (i: number, acc: string[][]) => {
    if (out.length >= 16) return;
    if (i >= sk.length) {
      out.push(acc);
      return;
    }
    walk(i + 1, [...acc, sk[i]!]);
    if (i + 1 < sk.length && toks[i]!.script === toks[i + 1]!.script) {
      const joined = new Set<string>();
      for (const a of sk[i]!) for (const b of sk[i + 1]!) joined.add(collapse(a + b));
      walk(i + 2, [...acc, [...joined]]);
    }
  };
  walk(0, []);
  return out;
}

function keysOfView(view: string[][]): string[] {
  const toks = view.slice(0, 5).map((alts) => alts.map((s) => s || '_'));
  if (toks.length === 1) return toks[0]!.map((s) => `1:${s}`);
  const out: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    for (let j = i + 1; j < toks.length; j++) {
      for (const a of toks[i]!) for (const b of toks[j]!) out.push(a < b ? `${a}|${b}` : `${b}|${a}`);
    }
  }
  return out;
}

function keysOfName(name: string): string[] {
  const all = tokenize(name).slice(0, 6);
  if (all.length === 0) return [];
  // honorifics (Seyed, Dr, Mir) are optional: key with and without them (Mir Bagher = Mirbagher = Bagher)
  const core = all.filter((t) => !isOptionalId(variantId(t.text, t.script)));
  const arabicName = all.some((t) => t.script === 'arab') && arabicNameMarks(name, all);
  const latinCore = core.filter((t) => t.script === 'latn').map((t) => t.text);
  const arabicLatin =
    latinCore.some((t) => t.includes('d')) && arabicStyle(latinCore, /\p{L}['\u2019\u02BC\u02BF\u02BE]\p{L}/u.test(name));
  const keys = new Set<string>();
  for (const toks of core.length > 0 && core.length < all.length ? [all, core] : [all]) {
    const sk = toks.map((t, i) => tokenSkeletons(t, i, arabicName, arabicLatin));
    for (const view of joinViews(toks, sk)) for (const k of keysOfView(view)) keys.add(k);
  }
  return [...keys];
}

/**
 * Blocking keys of a person (name plus optional name in a second script). A few short strings; two people
 * who are likely duplicates share at least one key in the vast majority of cases (measured in eval-names).
 */
export function blockingKeys(name: string, nameAlt?: string | null): string[] {
  const keys = new Set(keysOfName(name));
  if (nameAlt?.trim()) for (const k of keysOfName(nameAlt)) keys.add(k);
  return [...keys].sort();
}
