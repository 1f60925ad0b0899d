/**
 * Persian ↔ Persian comparison on folded keys (normalise.ts already made ي=ی, ك=ک, ة=ه, أ=ا …).
 * What remains are real spelling errors: homophone letters (ث/س/ص, ذ/ز/ض/ظ, ت/ط, ح/ه, ق/غ), letters that
 * differ only by dots (a keyboard/OCR slip), and dropped letters. Following PEDA (Momeninasab 2013), these
 * cost less than an arbitrary substitution. A missing long vowel (کریمی/کرمی) stays expensive because it is
 * how two different names usually differ (threat: merging Karimi with Karami).
 */

const HOMOPHONES = ['ثسص', 'ذزضظ', 'تط', 'حه', 'قغ', 'اع'];
const DOT_CLASSES = ['بپتثنی', 'جچحخ', 'دذ', 'رزژ', 'سش', 'صض', 'طظ', 'عغ', 'فق', 'کگ'];

const SUB = new Map<string, number>();
function setPair(a: string, b: string, c: number) {
  const k1 = a + b;
  const k2 = b + a;
  SUB.set(k1, Math.min(SUB.get(k1) ?? 1, c));
  SUB.set(k2, Math.min(SUB.get(k2) ?? 1, c));
}
for (const cls of HOMOPHONES) for (const a of cls) for (const b of cls) if (a !== b) setPair(a, b, 0.3);
for (const cls of DOT_CLASSES) for (const a of cls) for (const b of cls) if (a !== b) setPair(a, b, 0.5);
setPair('ژ', 'ج', 0.4); // نژاد / نجاد: both are common spellings of -nejad
setPair('و', 'ا', 0.8);
// Sorani vowel letters against their Persian-keyboard stand-ins
setPair('ە', 'ه', 0.2);
setPair('ۆ', 'و', 0.2);
setPair('ێ', 'ی', 0.2);

const VOWEL_LETTERS = new Set(['ا', 'و', 'ی', 'ع', 'ە', 'ۆ', 'ێ']);

function indel(s: string, i: number): number {
  const c = s[i]!;
  const last = i === s.length - 1;
  // a final ا or ه makes another name (بهار/بهارا/بهاره), a medial ا is a common slip (ابولفضل)
  if (c === 'ا') return last ? 0.8 : 0.6;
  if (c === 'ع') return 0.5;
  if (c === 'ه' && last) return 0.8;
  // و or ی beside the same letter is one letter written twice, as consonant and vowel (داوود/داود, کاووس/کاوس)
  if ((c === 'و' || c === 'ی') && (s[i - 1] === c || s[i + 1] === c)) return 0.2;
  // a medial و between two consonants is the vowel u/o and is often left out (کوروش/کورش); beside a vowel letter
  // it is the consonant v (کیوان Keyvan ≠ کیان Kian); a medial ی is never cheap (کریمی/کرمی: two names)
  if (c === 'و' && i > 0 && !last && !VOWEL_LETTERS.has(s[i - 1]!) && !VOWEL_LETTERS.has(s[i + 1]!)) return 0.35;
  if (c === 'و' || c === 'ی') return 0.8;
  return 1;
}

export function persianDistance(a: string, b: string): number {
  const n = a.length;
  const m = b.length;
  let prev = new Float64Array(m + 1);
  let cur = new Float64Array(m + 1);
  for (let j = 1; j <= m; j++) prev[j] = prev[j - 1]! + indel(b, j - 1);
  for (let i = 1; i <= n; i++) {
    cur[0] = prev[0]! + indel(a, i - 1);
    for (let j = 1; j <= m; j++) {
      const ca = a[i - 1]!;
      const cb = b[j - 1]!;
      const sub = prev[j - 1]! + (ca === cb ? 0 : (SUB.get(ca + cb) ?? 1));
      cur[j] = Math.min(prev[j]! + indel(a, i - 1), cur[j - 1]! + indel(b, j - 1), sub);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m]!;
}

export function persianSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const len = Math.max(a.length, b.length);
  if (len === 0) return 0;
  return Math.max(0, 1 - persianDistance(a, b) / len);
}
