/**
 * The Transliterator port over any-ascii (ISC licence, pure JavaScript, per-character tables covering every
 * script: Cyrillic, Greek, Hebrew, Han as pinyin, Kana as Hepburn-like romaji…). Used for name matching only.
 * Known limits (docs/names.md): Hebrew comes out as consonants (no vowels are written), Japanese kanji get their
 * Chinese readings (山田 → ShanTian, not Yamada), Greek needs the digraph fixes in core/names/translit.ts.
 */
import anyAscii from 'any-ascii';
import type { Transliterator } from '../../core/ports.ts';

export const anyAsciiTransliterator: Transliterator = (text) => anyAscii(text);
