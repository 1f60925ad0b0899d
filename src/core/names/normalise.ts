/**
 * Comparison keys for names. Nothing here ever changes what a person typed: the stored and displayed name
 * keeps its ZWNJ, its Arabic-keyboard ي/ك and its diacritics. These functions only derive keys that let two
 * spellings of one name compare equal (threat: a duplicate signer slipping through because one of them typed
 * on an Arabic keyboard, or a PDF gave us presentation forms).
 *
 * Rules follow research/anchor-names.md §2.1 (nisaba reading/visual normalisation tables for Persian).
 */

import { toLatin } from './translit.ts';

export type Script = 'arab' | 'latn' | 'other';

export interface NameToken {
  /** Normalised token text (key form). */
  text: string;
  script: Script;
  /** An Arabic-script word written in Arabic, Urdu or Hebrew (mapped), romanised in the Arabic style. */
  arabicLang?: boolean;
}

/** Letters folded to their Persian form for keys only. Hamza carriers lose the hamza via NFD + mark removal. */
const ARABIC_FOLD: Record<string, string> = {
  '\u064A': '\u06CC', // ي Arabic yeh → ی
  '\u0649': '\u06CC', // ى alef maksura → ی
  '\u06D2': '\u06CC', // ے yeh barree (Urdu keyboards) → ی
  '\u0643': '\u06A9', // ك Arabic kaf → ک
  '\u06AA': '\u06A9', // ڪ swash kaf → ک
  '\u0629': '\u0647', // ة teh marbuta → ه
  '\u06C0': '\u0647', // ۀ (if it survived NFD) → ه
  '\u06C1': '\u0647', // ہ heh goal → ه
  '\u06BE': '\u0647', // ھ heh doachashmee → ه
  '\u06C2': '\u0647',
  '\u0623': '\u0627', // أ (normally split by NFD; kept for safety)
  '\u0625': '\u0627', // إ
  '\u0622': '\u0627', // آ: folded for matching, collation keeps it (sorting never uses these keys)
  '\u0671': '\u0627', // ٱ alef wasla
  '\u0624': '\u0648', // ؤ → و
  '\u0626': '\u06CC', // ئ → ی
  '\u0621': '', // lone hamza: dropped
  // Urdu and Sorani Kurdish letters onto their Persian neighbours (issue 17: Arabic-script languages)
  '\u0679': '\u062A', // ٹ retroflex t → ت
  '\u0688': '\u062F', // ڈ retroflex d → د
  '\u0691': '\u0631', // ڑ retroflex r → ر
  '\u06BA': '\u0646', // ں noon ghunna → ن
  '\u06D3': '\u06CC', // ۓ → ی
  '\u0695': '\u0631', // ڕ Sorani rr → ر
  '\u06B5': '\u0644', // ڵ Sorani ll → ل
  // Sorani ە (e/a), ۆ (o) and ێ (ê) are written vowels: kept, with their own costs in cross.ts and persian.ts
  '\u06A4': '\u0641', // ڤ Kurdish v → ف
  '\u06CB': '\u0648', // ۋ → و
  '\u06AD': '\u06AF', // ڭ → گ
  '\u0640': '', // tatweel: pure elongation, carries nothing
  '\u060C': ',', // ، Arabic comma
  '\u061B': ';', // ؛
  '\u061F': '?', // ؟
  '\u066B': '.', // Arabic decimal separator
  '\u066C': ',', // Arabic thousands separator
};

/** Latin letters NFD does not decompose. */
const LATIN_FOLD: Record<string, string> = {
  ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', ł: 'l', ı: 'i', þ: 'th', ħ: 'h',
};

/** Zero-width and bidi controls (not ZWNJ, handled separately): invisible, so never part of identity. */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each invisible (the joiner too) is removed on its own
const INVISIBLE = /[\u200B\u200D\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD\u061C]/g;
const ZWNJ = /\u200C/g;
/** Apostrophes and ayn/hamza transcription marks: Ja'far = Jafar. */
const APOSTROPHES = /['\u2018\u2019\u02BC\u02BB\u02BF\u02BE`\u00B4\u2032]/g;
/** Hyphens and dashes become token separators; joined/split compounds are handled by the matcher. */
const SEPARATORS = /[-\u30FB\uFF65\u00B7\u2010-\u2015\u2212_.,;:!?()[\]{}"«»\u201C\u201D\u201E/\\|*&+#@~<>=]/g;
const MARKS = /\p{M}/gu;

/** Persian (U+06F0..) and Arabic-Indic (U+0660..) digits → ASCII. */
export function asciiDigits(s: string): string {
  return s.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => {
    const c = d.charCodeAt(0);
    return String(c >= 0x06f0 ? c - 0x06f0 : c - 0x0660);
  });
}

export type ZwnjMode = 'join' | 'space';

/**
 * Normalised key text of a name (or any short text): NFKC (presentation forms, ﷲ), case, marks (harakat,
 * Latin diacritics, hamza above), Persian letter folding, digits, apostrophes, separators, whitespace.
 * `zwnj`: 'join' drops ZWNJ (علی‌رضا → علیرضا), 'space' makes it a token break (علی رضا).
 */
export function normaliseText(input: string, zwnj: ZwnjMode = 'join'): string {
  let s = input.normalize('NFKC');
  s = s.replace(ZWNJ, zwnj === 'join' ? '' : ' ').replace(INVISIBLE, '');
  // a word-initial ئ is a silent vowel carrier in Kurdish and Urdu (ئەحمەد Ahmad): dropped before NFD splits it
  s = s.replace(/(^|[\s\u200C])\u0626(?=[\u06D5\u0627\u06C6\u06CE\u06CC\u0648])/g, '$1');
  s = s.toLowerCase().normalize('NFD').replace(MARKS, '');
  let out = '';
  for (const ch of s) {
    const a = ARABIC_FOLD[ch];
    if (a !== undefined) out += a;
    else out += LATIN_FOLD[ch] ?? ch;
  }
  // ە (U+06D5, also from ۀ under NFD) at a word end is a final heh (نامە); inside a word it is the Sorani vowel e
  out = out.replace(/\u06D5(?=$|[\s\p{P}])/gu, '\u0647');
  out = asciiDigits(out).replace(APOSTROPHES, '').replace(SEPARATORS, ' ');
  return out.replace(/\s+/g, ' ').trim();
}

export function scriptOf(token: string): Script {
  if (/\p{Script=Arabic}/u.test(token)) return 'arab';
  if (/\p{Script=Latin}/u.test(token)) return 'latn';
  return 'other';
}

/**
 * Tokens of a name for matching. ZWNJ is a token break here: the matcher joins adjacent tokens, so
 * علی‌رضا, علیرضا and علی رضا all meet. A token mixing scripts (rare typos like "Aliعلی") is split by script.
 */
export function tokenize(name: string): NameToken[] {
  const out: NameToken[] = [];
  // word by word, so that what folding erases (an Urdu ہ, an Arabic ة, Hebrew letters) can still mark the word
  for (const word of name.normalize('NFKC').split(/\s+/)) {
    if (!word) continue;
    const hebrew = /\p{Script=Hebrew}/u.test(word);
    const arabicLang = hebrew || ARABIC_LANGUAGE.test(word);
    // other scripts are transliterated before folding strips what they need (dakuten ズ, the breve of й)
    const other = hebrew ? null : transliterateOther(word);
    const text = normaliseText(hebrew ? hebrewToArabicScript(word) : (other ?? word), 'space');
    if (!text) continue;
    if (other !== null) {
      for (const t of text.split(' ')) if (t) out.push({ text: t, script: scriptOf(t) });
      continue;
    }
    for (const raw of text.split(' ')) {
      // split runs of different scripts inside one token
      const parts = raw.match(/\p{Script=Arabic}+|\p{Script=Latin}+|[^\p{Script=Arabic}\p{Script=Latin}]+/gu) ?? [raw];
      for (const p of parts) {
        const script = scriptOf(p);
        // another script: its Latin transliteration, matched as Latin (translit.ts)
        const latin = script === 'other' && /\p{L}/u.test(p) ? toLatin(p) : null;
        if (latin !== null) {
          for (const t of normaliseText(latin, 'space').split(' ')) if (t && /[a-z]/.test(t)) out.push({ text: t, script: 'latn' });
        } else out.push(arabicLang && script === 'arab' ? { text: p, script, arabicLang: true } : { text: p, script });
      }
    }
  }
  return out;
}

/** Letters of scripts the engine has no model of its own for (neither Arabic, Latin nor Hebrew). */
const OTHER_LETTERS = /[^\p{Script=Arabic}\p{Script=Latin}\p{Script=Hebrew}\p{Script=Common}\p{Script=Inherited}]+/gu;

/** The word with its runs of other scripts in Latin (translit.ts), or null (none, or no transliterator). */
function transliterateOther(input: string): string | null {
  // the kana length mark (イチロー) is dropped: passports write no long vowels
  const word = input.replace(/[\u30FC\uFF70]/g, '');
  if (!OTHER_LETTERS.test(word)) return null;
  OTHER_LETTERS.lastIndex = 0;
  let changed = false;
  const out = word.replace(OTHER_LETTERS, (run) => {
    if (!/\p{L}/u.test(run)) return run;
    const l = toLatin(run);
    if (l === null) return run;
    changed = true;
    return ` ${l} `;
  });
  return changed ? out : null;
}

/**
 * Arabic-script words written in Arabic or Urdu rather than Persian (ة teh marbuta, Urdu ہ ے ۓ ٹ ڈ ڑ ں ھ, a leading
 * article ال): their romanisations follow the Arabic style (final -a, short vowels a/i/u), see cross.ts.
 */
const ARABIC_LANGUAGE = /[\u0629\u06C1\u06D2\u06D3\u0679\u0688\u0691\u06BA\u06BE]|^\u0627\u0644\p{L}{3,}/u;

/** Letters of Arabic and Urdu spelling that Persian does not use (as ARABIC_LANGUAGE, without the article). */
const ARABIC_LETTERS = /[\u0629\u06C1\u06D2\u06D3\u0679\u0688\u0691\u06BA\u06BE]/u;
/** Arabic ي, ك or ى and no letter of the Persian alphabet alone: a name typed in Arabic (طه حسين, نجيب محفوظ). */
const ARABIC_KEYBOARD_ONLY = /^(?=.*[\u064A\u0643\u0649])[^\u067E\u0686\u0698\u06AF\u06CC\u06A9]*$/su;
/**
 * Sorani Kurdish letters (ێ ۆ ڕ ڵ ڤ, ە inside a word): Sorani writes its vowels except the short i, so a Latin i
 * without a letter (هێمن Hemin) is spelling freedom there as in the Arabic style.
 */
const SORANI = /[\u06CE\u06C6\u0695\u06B5\u06A4]|\u06D5(?=\p{L})/u;

/**
 * The article ال at the start of a word after the first, before three letters or more (الناصر, الاسد): often left
 * out in Latin (Nasser, Bashar Assad). Not in a first word nor before a short stem, where ال is mostly Persian
 * (الهام Elham, الناز Elnaz ≠ ناز Naz).
 */
export function hasArticle(text: string, script: Script, index: number): boolean {
  return index > 0 && script === 'arab' && text.length >= 5 && text.startsWith('\u0627\u0644');
}

/**
 * Is a name written in Arabic, Urdu or Sorani rather than Persian? An Arabic or Urdu letter (ة ہ ے…), the article
 * inside the name, a Sorani letter, or an Arabic keyboard (ي ك ى) with none of the letters only Persian has
 * (پ چ ژ گ, Persian ی ک). A leading ال alone is not a mark (الهام Elham is Persian). A name is written in one
 * language, so the mark makes all its Arabic-script words Arabic (Arabic-style costs in cross.ts, blocking views).
 */
export function arabicNameMarks(name: string, tokens: ReadonlyArray<{ text: string; script: Script; arabicLang?: boolean }>): boolean {
  return (
    tokens.some((t, i) => (t.arabicLang && !t.text.startsWith('\u0627\u0644')) || hasArticle(t.text, t.script, i)) ||
    ARABIC_LETTERS.test(name) ||
    ARABIC_KEYBOARD_ONLY.test(name) ||
    SORANI.test(name)
  );
}

/**
 * Hebrew is an abjad like Persian (vowels mostly unwritten, ו and י as matres lectionis), which a letter-by-letter
 * transliteration cannot romanise (דוד → dvd). Its letters are mapped onto their Persian counterparts so that the
 * cross-script model, which knows unwritten vowels, compares them with Latin spellings (David, Golda Meir).
 * א and ע are vowel carriers (ع), כ is k at a word start and kh elsewhere, ק is k, final ף is f.
 */
const HEBREW: Record<string, string> = {
  'א': 'ع', 'ב': 'ب', 'ג': 'گ', 'ד': 'د', 'ה': 'ه', 'ו': 'و', 'ז': 'ز', 'ח': 'ح', 'ט': 'ط', 'י': 'ی', 'כ': 'خ',
  'ך': 'خ', 'ל': 'ل', 'מ': 'م', 'ם': 'م', 'נ': 'ن', 'ן': 'ن', 'ס': 'س', 'ע': 'ع', 'פ': 'پ', 'ף': 'ف', 'צ': 'ص',
  'ץ': 'ص', 'ק': 'ک', 'ר': 'ر', 'ש': 'ش', 'ת': 'ت',
};
function hebrewToArabicScript(word: string): string {
  let out = '';
  let first = true;
  for (const ch of word.normalize('NFD')) {
    const m = HEBREW[ch];
    if (m === undefined) {
      if (!/\p{M}/u.test(ch)) first = true;
      out += ch;
      continue;
    }
    out += ch === 'כ' && first ? 'ک' : m;
    first = false;
  }
  return out;
}

/**
 * Exact-identity keys: two names sharing one are the same string for every practical purpose.
 * The first key drops all spacing (علی رضا = علیرضا = علی‌رضا, Mohammad Reza = Mohammadreza);
 * the second keeps token breaks (ZWNJ as a space), used where token boundaries matter.
 */
export function nameKeys(name: string): [joined: string, spaced: string] {
  const spaced = normaliseText(name, 'space');
  return [spaced.replace(/ /g, ''), spaced];
}

/** The primary exact-identity key (spacing-insensitive). */
export function nameKey(name: string): string {
  return nameKeys(name)[0];
}
