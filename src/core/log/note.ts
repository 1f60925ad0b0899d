/**
 * c2sp.org/signed-note: notes, Ed25519 keys (type 0x01), key IDs, the Go
 * vkey/skey text formats, and Ed25519 witness cosignatures v1 (type 0x04,
 * c2sp.org/tlog-cosignature) so receipts carrying witness lines verify.
 */
import type { LogCrypto, LogHasher } from './crypto.ts';
import { concatBytes, fromBase64, fromUtf8, toBase64, utf8 } from './bytes.ts';
import { LogError, fail } from './errors.ts';

export const SIG_TYPE_ED25519 = 0x01;
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;

/** Go's note package refuses notes with more than 100 signatures; the spec asks for at least 16. */
export const MAX_SIGNATURES = 100;

const EM_DASH_LINE = '\u2014 ';

export interface NoteSignature {
  name: string;
  keyId: number;
  /** Signature bytes after the 4-byte key ID. */
  sig: Uint8Array;
}

export interface Note {
  /** The signed text, including its final newline. */
  text: string;
  sigs: NoteSignature[];
}

export interface NoteVerifier {
  name: string;
  keyId: number;
  type: number;
  verify(text: Uint8Array, sig: Uint8Array): boolean;
}

export interface NoteSigner {
  name: string;
  keyId: number;
  sign(text: Uint8Array): Uint8Array;
}

/**
 * Key names must be non-empty, with no Unicode space and no '+'. Threat: a
 * space would shift the fields of a signature line; a '+' would make the
 * vkey `name+id+key` split ambiguous.
 */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !hasControl(name);
}

function hasControl(s: string): boolean {
  return /[\u0000-\u001f]/.test(s);
}

/** key ID = SHA-256(name || 0x0A || type || publicKey)[:4], big-endian. */
export function keyId(h: LogHasher, name: string, type: number, publicKey: Uint8Array): number {
  const d = h.sha256(concatBytes(utf8(name), new Uint8Array([0x0a, type]), publicKey));
  return ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
}

const hex8 = (id: number) => id.toString(16).padStart(8, '0');

// ---------------------------------------------------------------------------
// Note syntax
// ---------------------------------------------------------------------------

/**
 * Split a signed note into text and signature lines, checking syntax only.
 * Throws LogError('BAD_NOTE') on malformed input.
 */
export function parseNote(msg: string | Uint8Array): Note {
  let s: string;
  try {
    s = typeof msg === 'string' ? msg : fromUtf8(msg);
  } catch {
    fail('BAD_NOTE', 'note is not valid UTF-8');
  }
  // Lone surrogates cannot be encoded as UTF-8, so the signed bytes would be ambiguous.
  if (typeof msg === 'string' && !isWellFormed(s)) fail('BAD_NOTE', 'note is not valid Unicode');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(s)) fail('BAD_NOTE', 'note contains control characters');
  const split = s.lastIndexOf('\n\n');
  if (split < 0) fail('BAD_NOTE', 'note has no signature block');
  const text = s.slice(0, split + 1);
  const block = s.slice(split + 2);
  if (!block.endsWith('\n')) fail('BAD_NOTE', 'signature block must end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) fail('BAD_NOTE', `more than ${MAX_SIGNATURES} signatures`);
  const sigs = lines.map((line): NoteSignature => {
    if (!line.startsWith(EM_DASH_LINE)) fail('BAD_NOTE', 'signature line must start with an em dash and a space');
    const rest = line.slice(EM_DASH_LINE.length);
    const sp = rest.indexOf(' ');
    if (sp < 0) fail('BAD_NOTE', 'signature line has no signature');
    const name = rest.slice(0, sp);
    const b64 = rest.slice(sp + 1);
    if (!isValidKeyName(name)) fail('BAD_NOTE', 'invalid key name in signature line');
    let raw: Uint8Array;
    try {
      raw = fromBase64(b64);
    } catch {
      fail('BAD_NOTE', 'signature is not base64');
    }
    if (raw.length < 5) fail('BAD_NOTE', 'signature too short');
    const id = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    return { name, keyId: id, sig: raw.slice(4) };
  });
  return { text, sigs };
}

function isWellFormed(s: string): boolean {
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
}

export function formatSignatureLine(sig: NoteSignature): string {
  const id = new Uint8Array([sig.keyId >>> 24, (sig.keyId >>> 16) & 255, (sig.keyId >>> 8) & 255, sig.keyId & 255]);
  return `${EM_DASH_LINE}${sig.name} ${toBase64(concatBytes(id, sig.sig))}\n`;
}

export function formatNote(note: Note): string {
  checkText(note.text);
  if (note.sigs.length === 0) fail('BAD_NOTE', 'a note needs at least one signature');
  return note.text + '\n' + note.sigs.map(formatSignatureLine).join('');
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) fail('BAD_NOTE', 'note text must end in a newline');
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text) || !isWellFormed(text)) fail('BAD_NOTE', 'note text contains control characters');
}

/** Sign `text` with each signer and return the signed note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text);
  const msg = utf8(text);
  return formatNote({ text, sigs: signers.map((s) => ({ name: s.name, keyId: s.keyId, sig: s.sign(msg) })) });
}

/** Add signatures (e.g. witness cosignatures) to an already signed note, keeping the existing lines. */
export function addSignatures(signed: string, signers: readonly NoteSigner[]): string {
  const note = parseNote(signed);
  const msg = utf8(note.text);
  return formatNote({ text: note.text, sigs: [...note.sigs, ...signers.map((s) => ({ name: s.name, keyId: s.keyId, sig: s.sign(msg) }))] });
}

export interface OpenedNote extends Note {
  /** Signatures by known keys, all of which verified. */
  verified: Array<NoteSignature & { verifier: NoteVerifier }>;
  /** Signatures by keys we do not know (ignored, as the spec requires). */
  unverified: NoteSignature[];
}

/**
 * Verify a signed note (signed-note rules): signatures from unknown keys are
 * ignored; a key is known only when name AND key ID both match; if a known
 * key's signature fails the whole note is rejected (threat: a forged line
 * riding along with a valid one); if no known key verified, the note is
 * rejected.
 */
export function openNote(msg: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  const known = new Map<string, NoteVerifier>();
  for (const v of verifiers) {
    const k = `${v.name}+${hex8(v.keyId)}`;
    if (known.has(k)) fail('BAD_KEY', `two verifiers share name and key ID ${k}`);
    known.set(k, v);
  }
  const note = parseNote(msg);
  const text = utf8(note.text);
  const verified: OpenedNote['verified'] = [];
  const unverified: NoteSignature[] = [];
  for (const sig of note.sigs) {
    const v = known.get(`${sig.name}+${hex8(sig.keyId)}`);
    if (!v) {
      unverified.push(sig);
      continue;
    }
    if (!v.verify(text, sig.sig)) fail('BAD_SIGNATURE', `invalid signature for key ${sig.name}+${hex8(sig.keyId)}`);
    verified.push({ ...sig, verifier: v });
  }
  if (verified.length === 0) fail('NO_TRUSTED_SIGNATURE', 'no signature from a known key');
  return { ...note, verified, unverified };
}

// ---------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------

/** `name+hexid+base64(type||publicKey)`. */
export function formatVerifierKey(h: LogHasher, name: string, type: number, publicKey: Uint8Array): string {
  if (!isValidKeyName(name)) fail('BAD_KEY', 'invalid key name');
  return `${name}+${hex8(keyId(h, name, type, publicKey))}+${toBase64(concatBytes(new Uint8Array([type]), publicKey))}`;
}

export interface ParsedVerifierKey {
  name: string;
  keyId: number;
  type: number;
  publicKey: Uint8Array;
}

/**
 * Parse a vkey. The base64 part may itself contain '+', so split on the first
 * two '+' only. The stated key ID must match the one computed from the key:
 * a mismatch means a typo or a substituted key.
 */
export function parseVerifierKeyText(h: LogHasher, vkey: string): ParsedVerifierKey {
  const a = vkey.indexOf('+');
  const b = a < 0 ? -1 : vkey.indexOf('+', a + 1);
  if (a <= 0 || b < 0) fail('BAD_KEY', 'malformed verifier key');
  const name = vkey.slice(0, a);
  const idHex = vkey.slice(a + 1, b);
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex)) fail('BAD_KEY', 'malformed verifier key');
  let raw: Uint8Array;
  try {
    raw = fromBase64(vkey.slice(b + 1));
  } catch {
    fail('BAD_KEY', 'malformed verifier key');
  }
  if (raw.length < 2) fail('BAD_KEY', 'malformed verifier key');
  const type = raw[0]!;
  const publicKey = raw.slice(1);
  const id = keyId(h, name, type, publicKey);
  if (hex8(id) !== idHex) fail('BAD_KEY', `key ID ${idHex} does not match key (${hex8(id)})`);
  return { name, keyId: id, type, publicKey };
}

/** A verifier for an Ed25519 (0x01) or cosignature v1 (0x04) vkey. */
export function parseVerifierKey(c: LogCrypto, vkey: string): NoteVerifier {
  const k = parseVerifierKeyText(c, vkey);
  if (k.publicKey.length !== 32) fail('BAD_KEY', 'Ed25519 public keys are 32 bytes');
  if (k.type === SIG_TYPE_ED25519) {
    return { name: k.name, keyId: k.keyId, type: k.type, verify: (text, sig) => sig.length === 64 && c.ed25519Verify(k.publicKey, text, sig) };
  }
  if (k.type === SIG_TYPE_COSIGNATURE_V1) {
    return {
      name: k.name,
      keyId: k.keyId,
      type: k.type,
      verify: (text, sig) => {
        if (sig.length !== 72) return false;
        return c.ed25519Verify(k.publicKey, cosignatureMessage(readU64(sig), text), sig.subarray(8));
      },
    };
  }
  fail('BAD_KEY', `unsupported signature type 0x${k.type.toString(16)}`);
}

/** Go signer key: `PRIVATE+KEY+name+hexid+base64(0x01 || 32-byte seed)`. */
export function formatSignerKey(c: LogCrypto, name: string, seed: Uint8Array): string {
  if (seed.length !== 32) fail('BAD_KEY', 'Ed25519 seed must be 32 bytes');
  if (!isValidKeyName(name)) fail('BAD_KEY', 'invalid key name');
  const id = keyId(c, name, SIG_TYPE_ED25519, c.ed25519PublicKey(seed));
  return `PRIVATE+KEY+${name}+${hex8(id)}+${toBase64(concatBytes(new Uint8Array([SIG_TYPE_ED25519]), seed))}`;
}

export interface ParsedSignerKey {
  name: string;
  keyId: number;
  seed: Uint8Array;
  publicKey: Uint8Array;
}

export function parseSignerKeyText(c: LogCrypto, skey: string): ParsedSignerKey {
  const parts = skey.split('+');
  if (parts.length < 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') fail('BAD_KEY', 'malformed signer key');
  const name = parts[2]!;
  const idHex = parts[3]!;
  const b64 = parts.slice(4).join('+');
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex)) fail('BAD_KEY', 'malformed signer key');
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch {
    fail('BAD_KEY', 'malformed signer key');
  }
  if (raw.length !== 33 || raw[0] !== SIG_TYPE_ED25519) fail('BAD_KEY', 'only Ed25519 signer keys are supported');
  const seed = raw.slice(1);
  const publicKey = c.ed25519PublicKey(seed);
  const id = keyId(c, name, SIG_TYPE_ED25519, publicKey);
  if (hex8(id) !== idHex) fail('BAD_KEY', 'signer key ID does not match its key');
  return { name, keyId: id, seed, publicKey };
}

export function parseSignerKey(c: LogCrypto, skey: string): NoteSigner & { vkey: string } {
  const k = parseSignerKeyText(c, skey);
  return {
    name: k.name,
    keyId: k.keyId,
    vkey: formatVerifierKey(c, k.name, SIG_TYPE_ED25519, k.publicKey),
    sign: (text) => c.ed25519Sign(k.seed, text),
  };
}

/** New key pair from a caller-supplied 32-byte random seed (core has no randomness). */
export function generateKeyPair(c: LogCrypto, name: string, seed: Uint8Array): { skey: string; vkey: string } {
  const skey = formatSignerKey(c, name, seed);
  return { skey, vkey: formatVerifierKey(c, name, SIG_TYPE_ED25519, c.ed25519PublicKey(seed)) };
}

/** The verifier key (vkey) line for a signer key. */
export function verifierKeyFor(c: LogCrypto, skey: string): string {
  return parseSignerKey(c, skey).vkey;
}

// ---------------------------------------------------------------------------
// Cosignature v1 (tlog-cosignature, type 0x04)
// ---------------------------------------------------------------------------

/** "cosignature/v1\ntime <ts>\n" || checkpoint text. */
export function cosignatureMessage(timestamp: bigint, text: Uint8Array): Uint8Array {
  return concatBytes(utf8(`cosignature/v1\ntime ${timestamp}\n`), text);
}

function readU64(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = 0; i < 8; i++) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

/** The timestamp (seconds) carried by a verified cosignature v1. */
export function cosignatureTimestamp(sig: NoteSignature): bigint {
  if (sig.sig.length !== 72) throw new LogError('BAD_SIGNATURE', 'not a cosignature v1');
  return readU64(sig.sig);
}

/** A witness signer; `timestamp` (unix seconds) is passed in since the core has no clock. */
export function cosignatureV1Signer(c: LogCrypto, name: string, seed: Uint8Array, timestamp: number): NoteSigner & { vkey: string } {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) fail('BAD_KEY', 'bad timestamp');
  const pub = c.ed25519PublicKey(seed);
  const ts = BigInt(timestamp);
  const tsBytes = new Uint8Array(8);
  for (let i = 0; i < 8; i++) tsBytes[i] = Number((ts >> BigInt(56 - 8 * i)) & 0xffn);
  return {
    name,
    keyId: keyId(c, name, SIG_TYPE_COSIGNATURE_V1, pub),
    vkey: formatVerifierKey(c, name, SIG_TYPE_COSIGNATURE_V1, pub),
    sign: (text) => concatBytes(tsBytes, c.ed25519Sign(seed, cosignatureMessage(ts, text))),
  };
}
