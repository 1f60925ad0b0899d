/**
 * Other scripts (issue 17): a name part in a script the engine has no model of its own for (Cyrillic, Greek,
 * Hebrew, Han, Kana, Armenian, Georgian, Devanagari…) is transliterated to Latin through the Transliterator port
 * and then matched and blocked as a Latin token, so Владимир Путин meets Vladimir Putin and 毛泽东 meets Mao Zedong.
 * Arabic-script languages (Arabic, Urdu, Sorani Kurdish) are not transliterated: their letters are folded onto
 * Persian ones (normalise.ts) and compared by the Persian models, which know unwritten vowels.
 *
 * The transliterator is installed once by the composition root (and by the eval and tests); without one, such
 * parts match only exactly, as before.
 */
import type { Transliterator } from '../ports.ts';

let current: Transliterator | null = null;

export function useTransliterator(t: Transliterator | null): void {
  current = t;
}

/** Greek digraphs that a letter-by-letter table gets wrong for names: ου is u (Papadopoulos), αυ/ευ av/ev. */
function greekDigraphs(s: string): string {
  return s.replace(/ου/g, 'ou').replace(/αυ/g, 'av').replace(/ευ(?=[θκξπστφχψ]|$)/g, 'ef').replace(/ευ/g, 'ev');
}

/** Latin form of a run of another script, or null when no transliterator is installed or it gives no letters. */
export function toLatin(run: string): string | null {
  if (!current) return null;
  let out = current(greekDigraphs(run.toLowerCase()));
  // kana long vowels as passports write them (Hepburn without macrons): たろう Taro, ゆうこ Yuko; Inoue keeps its ou-e
  if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(run)) out = out.replace(/ou(?![aeiou])/gi, 'o').replace(/uu/gi, 'u');
  return /[a-z]/i.test(out) ? out : null;
}
