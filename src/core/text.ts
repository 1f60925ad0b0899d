/**
 * Checks on text that people type. We never rewrite names; we only refuse characters that are used to
 * deceive. Threat: bidi overrides (U+202A–U+202E, U+2066–U+2069) make a name render as something else
 * ("Trojan Source" style spoofing of the signatory list), and C0/C1 controls break exports and mail.
 */
import type { FieldError } from './errors.ts';

const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
// C0 and C1 controls except tab/newline (allowed only in multi-line fields), plus U+FEFF and lone surrogates.
const CONTROLS_SINGLE_LINE = /[\u0000-\u001F\u007F-\u009F\uFEFF]/u;
const CONTROLS_MULTI_LINE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFEFF]/u;

export function hasBidiControl(s: string): boolean {
  return BIDI_CONTROLS.test(s);
}

export function hasLoneSurrogate(s: string): boolean {
  return !s.isWellFormed();
}

/** Length in code points, so a Persian or emoji name is not charged double. */
export function lengthOf(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export interface TextRule {
  field: string;
  required?: boolean;
  max: number;
  min?: number;
  multiline?: boolean;
  /** Names and titles refuse bidi controls; free text (a letter body) may legitimately contain marks. */
  refuseBidi?: boolean;
}

/**
 * Trims and checks one text field. Returns the trimmed value (or undefined when optional and empty) and
 * pushes field errors. Trimming is the only change made to what a person typed.
 */
export function checkText(value: unknown, rule: TextRule, errors: FieldError[]): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (rule.required) errors.push({ field: rule.field, code: 'REQUIRED' });
    return undefined;
  }
  if (typeof value !== 'string') {
    errors.push({ field: rule.field, code: 'INVALID_TYPE' });
    return undefined;
  }
  const v = rule.multiline ? value.replace(/\r\n?/g, '\n').trim() : value.trim();
  if (v === '') {
    if (rule.required) errors.push({ field: rule.field, code: 'REQUIRED' });
    return undefined;
  }
  if (rule.refuseBidi && hasBidiControl(v)) {
    errors.push({ field: rule.field, code: 'BIDI_CONTROL' });
    return v;
  }
  if ((rule.multiline ? CONTROLS_MULTI_LINE : CONTROLS_SINGLE_LINE).test(v) || hasLoneSurrogate(v)) {
    errors.push({ field: rule.field, code: 'CONTROL_CHARACTER' });
    return v;
  }
  const len = lengthOf(v);
  if (len > rule.max) errors.push({ field: rule.field, code: 'TOO_LONG', limit: rule.max });
  else if (rule.min !== undefined && len < rule.min) errors.push({ field: rule.field, code: 'TOO_SHORT', limit: rule.min });
  return v;
}

/** Script direction of a BCP-47 language tag (by its primary subtag or script subtag). */
const RTL_LANGS = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'sd', 'ug', 'yi', 'dv', 'syr', 'ku-arab']);
export function directionOf(lang: string): 'rtl' | 'ltr' {
  const lower = lang.toLowerCase();
  if (/-(arab|hebr|thaa|syrc|nkoo|adlm|rohg)\b/.test(lower)) return 'rtl';
  if (/-(latn|cyrl)\b/.test(lower)) return 'ltr';
  return RTL_LANGS.has(lower.split('-')[0] ?? '') ? 'rtl' : 'ltr';
}

/** Direction of a string by its first strong character (used for names whose script differs from the page). */
export function directionOfText(s: string): 'rtl' | 'ltr' | 'auto' {
  for (const ch of s) {
    if (/[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u.test(ch)) return 'rtl';
    if (/\p{L}/u.test(ch)) return 'ltr';
  }
  return 'auto';
}
