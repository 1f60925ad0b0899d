/**
 * Byte helpers without `Buffer`: the core must also run in browsers (receipt
 * checks happen client-side, with no trust in the server).
 */
import { fail } from './errors.ts';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INV = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INV[B64.charCodeAt(i)] = i;

/** Standard base64 with padding (RFC 4648 §4), as every C2SP format uses. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + '=';
  }
  return out;
}

/**
 * Strict, canonical base64 decoding: padding required, no whitespace, and the
 * unused low bits of the last symbol must be zero. Threat: malleability — two
 * different strings decoding to the same bytes would let one entry or receipt be
 * presented in several byte forms (and counted twice by a naive deduplicator).
 */
export function fromBase64(s: string): Uint8Array {
  if (s.length % 4 !== 0) fail('BAD_BASE64', 'base64 length is not a multiple of 4');
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  const full = pad ? s.length - 4 : s.length;
  for (let i = 0; i < full; i += 4) {
    const n = (b64sym(s, i) << 18) | (b64sym(s, i + 1) << 12) | (b64sym(s, i + 2) << 6) | b64sym(s, i + 3);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (pad === 2) {
    const n = (b64sym(s, full) << 18) | (b64sym(s, full + 1) << 12);
    if (n & 0xffff) fail('BAD_BASE64', 'non-canonical base64');
    out[o++] = n >> 16;
  } else if (pad === 1) {
    if (s.charCodeAt(full + 2) === 61) fail('BAD_BASE64', 'bad base64 padding');
    const n = (b64sym(s, full) << 18) | (b64sym(s, full + 1) << 12) | (b64sym(s, full + 2) << 6);
    if (n & 0xff) fail('BAD_BASE64', 'non-canonical base64');
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
  }
  return out;
}

/**
 * One base64 symbol's value. A module-level function, not a closure inside fromBase64: a closure is a new function
 * object per call (and under tsx, a named one), which showed up in profiles of the audit at a million entries.
 */
function b64sym(s: string, i: number): number {
  const c = s.charCodeAt(i);
  const d = c < 128 ? B64_INV[c]! : -1;
  if (d < 0) fail('BAD_BASE64', 'invalid base64 character');
  return d;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new TypeError('invalid hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Throws on invalid UTF-8 instead of substituting U+FFFD (which would change what was signed). */
export function fromUtf8(b: Uint8Array): string {
  return strictDecoder.decode(b);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A real copy, also for Buffers (whose .slice() aliases instead of copying). */
export function copyBytes(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Decimal with no leading zeros, within the safe-integer range; null otherwise. */
export function parseDecimal(s: string): number | null {
  if (!/^(0|[1-9][0-9]*)$/.test(s)) return null;
  if (s.length > 16) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

export function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
