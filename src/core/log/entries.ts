/**
 * `undersigned/v1` log entries (research §4): what the log records about
 * letters and signatures — and, by design, nothing personal. A signature entry
 * holds salted HMAC commitments to the display name and the contact address;
 * the 32-byte random openings stay in the private database (the name opening
 * is published with the public list, the contact opening only goes to the
 * signer's receipt). Deleting the openings makes a leaf unlinkable (GDPR
 * erasure) while the log still verifies.
 *
 * Encoding: strict ASCII text, LF endings, fixed field order, final "\n".
 * Text rather than binary so a third party can read an entry with `cat`; the
 * decoder accepts exactly one byte string per entry (canonical), so no entry
 * can be re-spelled to dodge de-duplication or to fake a second signature.
 *
 *   undersigned/v1 letter        undersigned/v1 sig            undersigned/v1 withdraw     undersigned/v1 remove
 *   letter <id>                  letter <id>                   letter <id>                 letter <id>
 *   time <unix s>                text <b64 sha256 text>        time <unix s>               time <unix s>
 *   text <b64 sha256 text>       time <unix s>                 ref <index of sig>          ref <index of sig>
 *                                name <b64 commitment>         refhash <b64 leaf hash>     refhash <b64 leaf hash>
 *                                contact <b64 commitment>      reason signer               reason signer|duplicate|fraud|legal
 *
 * `withdraw` is the signer's own act (via the link only they received);
 * `remove` is an organiser's act, with a public reason — including `signer`
 * when the signer asked the organiser rather than using their link. Keeping
 * the two apart means organisers cannot pass removals off as withdrawals.
 */
import type { LogCrypto, LogHasher } from './crypto.ts';
import { bytesEqual, concatBytes, fromBase64, parseDecimal, toBase64, utf8 } from './bytes.ts';
import { fail } from './errors.ts';
import { HASH_SIZE } from './merkle.ts';
import { MAX_ENTRY_SIZE } from './tiles.ts';

export const ENTRY_PREFIX = 'undersigned/v1';
export const REMOVAL_REASONS = ['signer', 'duplicate', 'fraud', 'legal'] as const;
export type RemovalReason = (typeof REMOVAL_REASONS)[number];

export interface LetterEntry {
  type: 'letter';
  letter: string;
  time: number;
  /** SHA-256 of the canonical text of one published language version. */
  text: Uint8Array;
}

export interface SignatureEntry {
  type: 'sig';
  letter: string;
  /** SHA-256 of the canonical text the signer saw and signed. */
  text: Uint8Array;
  time: number;
  name: Uint8Array;
  contact: Uint8Array;
}

export interface WithdrawalEntry {
  type: 'withdraw';
  letter: string;
  time: number;
  ref: number;
  refHash: Uint8Array;
  reason: 'signer';
}

export interface RemovalEntry {
  type: 'remove';
  letter: string;
  time: number;
  ref: number;
  refHash: Uint8Array;
  reason: RemovalReason;
}

export type LogEntry = LetterEntry | SignatureEntry | WithdrawalEntry | RemovalEntry;

const LETTER_ID = /^[a-z0-9-]{1,64}$/;
/** Only ever fed bytes already checked to be printable ASCII, where latin1 and ASCII agree. */
const asciiDecoder = new TextDecoder('latin1');

export function isLetterId(s: string): boolean {
  return LETTER_ID.test(s);
}

function checkHash(x: Uint8Array, what: string): string {
  if (!(x instanceof Uint8Array) || x.length !== HASH_SIZE) fail('BAD_ENTRY', `${what} must be 32 bytes`);
  return toBase64(x);
}

function checkTime(t: number): string {
  if (!Number.isSafeInteger(t) || t < 0) fail('BAD_ENTRY', 'time must be a non-negative integer (unix seconds)');
  return String(t);
}

export function encodeEntry(e: LogEntry): Uint8Array {
  if (!isLetterId(e.letter)) fail('BAD_ENTRY', `bad letter id ${JSON.stringify(e.letter)}`);
  let lines: string[];
  switch (e.type) {
    case 'letter':
      lines = [`letter ${e.letter}`, `time ${checkTime(e.time)}`, `text ${checkHash(e.text, 'text')}`];
      break;
    case 'sig':
      lines = [
        `letter ${e.letter}`,
        `text ${checkHash(e.text, 'text')}`,
        `time ${checkTime(e.time)}`,
        `name ${checkHash(e.name, 'name')}`,
        `contact ${checkHash(e.contact, 'contact')}`,
      ];
      break;
    case 'withdraw':
    case 'remove': {
      if (!Number.isSafeInteger(e.ref) || e.ref < 0) fail('BAD_ENTRY', 'ref must be a log index');
      const reasons: readonly string[] = e.type === 'withdraw' ? ['signer'] : REMOVAL_REASONS;
      if (!reasons.includes(e.reason)) fail('BAD_ENTRY', `bad ${e.type} reason ${JSON.stringify(e.reason)}`);
      lines = [`letter ${e.letter}`, `time ${checkTime(e.time)}`, `ref ${e.ref}`, `refhash ${checkHash(e.refHash, 'refhash')}`, `reason ${e.reason}`];
      break;
    }
    default:
      fail('BAD_ENTRY', 'unknown entry type');
  }
  return utf8(`${ENTRY_PREFIX} ${e.type}\n` + lines.map((l) => l + '\n').join(''));
}

const FIELDS: Record<LogEntry['type'], readonly string[]> = {
  letter: ['letter', 'time', 'text'],
  sig: ['letter', 'text', 'time', 'name', 'contact'],
  withdraw: ['letter', 'time', 'ref', 'refhash', 'reason'],
  remove: ['letter', 'time', 'ref', 'refhash', 'reason'],
};

/**
 * Decode an entry, accepting only its canonical encoding: exact field names
 * and order, ASCII, canonical base64 of 32 bytes, decimals without leading
 * zeros, trailing newline, nothing else.
 */
export function decodeEntry(bytes: Uint8Array): LogEntry {
  if (bytes.length > MAX_ENTRY_SIZE) fail('BAD_ENTRY', 'entry too large');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b > 0x7e || (b < 0x20 && b !== 0x0a)) fail('BAD_ENTRY', 'entry must be printable ASCII with LF line endings');
  }
  const s = asciiDecoder.decode(bytes);
  if (!s.endsWith('\n')) fail('BAD_ENTRY', 'entry must end in a newline');
  const lines = s.slice(0, -1).split('\n');
  const head = lines[0]!;
  if (!head.startsWith(ENTRY_PREFIX + ' ')) fail('BAD_ENTRY', `not an ${ENTRY_PREFIX} entry`);
  const type = head.slice(ENTRY_PREFIX.length + 1) as LogEntry['type'];
  const names = Object.hasOwn(FIELDS, type) ? FIELDS[type] : undefined;
  if (!names) fail('BAD_ENTRY', `unknown entry type ${JSON.stringify(type)}`);
  if (lines.length !== names.length + 1) fail('BAD_ENTRY', `${type} entry needs ${names.length} fields`);
  const v: Record<string, string> = {};
  names.forEach((name, i) => {
    const line = lines[i + 1]!;
    if (!line.startsWith(name + ' ')) fail('BAD_ENTRY', `expected field ${name}`);
    v[name] = line.slice(name.length + 1);
  });
  const letter = v.letter!;
  if (!isLetterId(letter)) fail('BAD_ENTRY', 'bad letter id');
  const hash = (k: string): Uint8Array => {
    let x: Uint8Array;
    try {
      x = fromBase64(v[k]!);
    } catch {
      fail('BAD_ENTRY', `${k} is not canonical base64`);
    }
    if (x.length !== HASH_SIZE) fail('BAD_ENTRY', `${k} must be 32 bytes`);
    return x;
  };
  const num = (k: string): number => {
    const n = parseDecimal(v[k]!);
    if (n === null) fail('BAD_ENTRY', `${k} must be a decimal without leading zeros`);
    return n;
  };
  switch (type) {
    case 'letter':
      return { type, letter, time: num('time'), text: hash('text') };
    case 'sig':
      return { type, letter, text: hash('text'), time: num('time'), name: hash('name'), contact: hash('contact') };
    case 'withdraw':
      if (v.reason !== 'signer') fail('BAD_ENTRY', 'a withdrawal is always by the signer (reason signer)');
      return { type, letter, time: num('time'), ref: num('ref'), refHash: hash('refhash'), reason: 'signer' };
    case 'remove': {
      const reason = v.reason as RemovalReason;
      if (!REMOVAL_REASONS.includes(reason)) fail('BAD_ENTRY', `bad removal reason ${JSON.stringify(v.reason)}`);
      return { type, letter, time: num('time'), ref: num('ref'), refHash: hash('refhash'), reason };
    }
  }
}

// ---------------------------------------------------------------------------
// Commitments
// ---------------------------------------------------------------------------

/** Fixed HMAC key, domain-separating our commitments from any other HMAC use (as in Google KT / IETF KEYTRANS). */
export const COMMITMENT_KEY = utf8('undersigned/commit/v1');
export type CommitmentLabel = 'name' | 'contact';
export const OPENING_SIZE = 32;

/**
 * commit(label, o, v) = HMAC-SHA256("undersigned/commit/v1", o || label || 0x00 || UTF-8(NFC(v))).
 * The 32-byte random opening makes the commitment hiding: without it nobody
 * can test guesses ("is alice@example.org in this log?"), which a plain
 * SHA-256(email) would allow. Openings are generated by the caller (core has
 * no randomness) and must come from a CSPRNG.
 */
export function commit(c: Pick<LogCrypto, 'hmacSha256'>, label: CommitmentLabel, opening: Uint8Array, value: string): Uint8Array {
  if (!(opening instanceof Uint8Array) || opening.length !== OPENING_SIZE) fail('BAD_ENTRY', 'opening must be 32 bytes');
  return c.hmacSha256(COMMITMENT_KEY, concatBytes(opening, utf8(label), new Uint8Array([0]), utf8(value.normalize('NFC'))));
}

/** Commitment to a display name exactly as typed (NFC only: "never change what a person typed"). */
export function commitName(c: Pick<LogCrypto, 'hmacSha256'>, opening: Uint8Array, displayName: string): Uint8Array {
  return commit(c, 'name', opening, displayName);
}

/**
 * Pinned contact normalisation (part of the v1 format): trim, NFC, lower-case.
 * Lower-casing the local part is technically lossy but matches how every
 * major provider routes mail, and a signer re-deriving their commitment must
 * get the same bytes whatever capitalisation they type.
 */
export function normaliseContact(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

export function commitContact(c: Pick<LogCrypto, 'hmacSha256'>, opening: Uint8Array, email: string): Uint8Array {
  return commit(c, 'contact', opening, normaliseContact(email));
}

export function verifyCommitment(
  c: Pick<LogCrypto, 'hmacSha256'>,
  label: CommitmentLabel,
  opening: Uint8Array,
  value: string,
  commitment: Uint8Array,
): boolean {
  if (!(opening instanceof Uint8Array) || opening.length !== OPENING_SIZE) return false;
  const v = label === 'contact' ? normaliseContact(value) : value;
  return bytesEqual(commit(c, label, opening, v), commitment);
}

/** SHA-256 of a letter version's canonical text (the exact UTF-8 bytes the public page serves). */
export function letterTextHash(h: LogHasher, canonicalText: string): Uint8Array {
  return h.sha256(utf8(canonicalText));
}

// ---------------------------------------------------------------------------
// Counting (the audit recomputes every letter's count from the log alone)
// ---------------------------------------------------------------------------

export interface LetterTally {
  letter: string;
  /** Published text versions (letter entries). */
  versions: number;
  /** Signature entries. */
  signatures: number;
  /** Withdrawals by signers. */
  withdrawn: number;
  /** Organiser removals by reason. */
  removed: Record<RemovalReason, number>;
  /** signatures − withdrawn − all removals: the number the letter page must show. */
  count: number;
}

export type CountProblemCode =
  | 'BAD_ENTRY'
  | 'OUT_OF_ORDER'
  | 'UNKNOWN_LETTER'
  | 'UNKNOWN_TEXT'
  | 'BAD_REF'
  | 'REF_LETTER'
  | 'REF_HASH'
  | 'ALREADY_GONE';

export interface CountProblem {
  index: number;
  code: CountProblemCode;
  message: string;
}

export interface CountResult {
  letters: LetterTally[];
  problems: CountProblem[];
}

export interface IndexedEntry {
  index: number;
  bytes: Uint8Array;
  /** RFC 6962 leaf hash of `bytes` (withdrawals and removals are checked against it). */
  leafHash: Uint8Array;
}

interface LetterState {
  idx: number;
  tally: LetterTally;
  /** Text hashes (base64) of the versions published so far. */
  texts: Set<string>;
}

const KIND_NONE = 0;
const KIND_SIG = 1;
const KIND_GONE = 2;

/**
 * Streaming counter: feed entries in index order. Memory is ~37 bytes per
 * entry in typed arrays, so a million entries fit in ~40 MB.
 *
 * Threats checked: a withdrawal/removal pointing at a non-signature, at a
 * later entry, at another letter's signature, or with a refhash that does not
 * match (would let the operator cancel arbitrary entries); the same signature
 * cancelled twice (would double-decrement the count); a signature on a letter
 * or text version never published in the log.
 * Invalid cancellations are reported and not applied.
 */
export class LetterCounter {
  #kinds = new Uint8Array(1024);
  #letterOf = new Uint32Array(1024);
  #hashes = new Uint8Array(1024 * HASH_SIZE);
  #letters: LetterState[] = [];
  #letterIdx = new Map<string, number>();
  #last = -1;
  #problems: CountProblem[] = [];
  readonly maxProblems: number;

  constructor(maxProblems = 1000) {
    this.maxProblems = maxProblems;
  }

  #problem(index: number, code: CountProblemCode, message: string): void {
    if (this.#problems.length < this.maxProblems) this.#problems.push({ index, code, message });
  }

  #grow(index: number): void {
    let n = this.#kinds.length;
    if (index < n) return;
    while (n <= index) n *= 2;
    const k = new Uint8Array(n);
    k.set(this.#kinds);
    this.#kinds = k;
    const l = new Uint32Array(n);
    l.set(this.#letterOf);
    this.#letterOf = l;
    const h = new Uint8Array(n * HASH_SIZE);
    h.set(this.#hashes);
    this.#hashes = h;
  }

  #letter(id: string): LetterState {
    let idx = this.#letterIdx.get(id);
    if (idx === undefined) {
      idx = this.#letters.length;
      this.#letterIdx.set(id, idx);
      this.#letters.push({
        idx,
        tally: { letter: id, versions: 0, signatures: 0, withdrawn: 0, removed: { signer: 0, duplicate: 0, fraud: 0, legal: 0 }, count: 0 },
        texts: new Set(),
      });
    }
    return this.#letters[idx]!;
  }

  add(e: IndexedEntry): void {
    const { index } = e;
    if (!Number.isSafeInteger(index) || index <= this.#last) {
      this.#problem(index, 'OUT_OF_ORDER', `entry ${index} after ${this.#last}`);
      return;
    }
    this.#last = index;
    let entry: LogEntry;
    try {
      entry = decodeEntry(e.bytes);
    } catch (err) {
      this.#problem(index, 'BAD_ENTRY', (err as Error).message);
      return;
    }
    const known = this.#letterIdx.has(entry.letter);
    const L = this.#letter(entry.letter);
    switch (entry.type) {
      case 'letter':
        L.tally.versions++;
        L.texts.add(toBase64(entry.text));
        return;
      case 'sig': {
        if (!known || L.tally.versions === 0) this.#problem(index, 'UNKNOWN_LETTER', `signature on letter ${entry.letter} before any published version`);
        else if (!L.texts.has(toBase64(entry.text))) this.#problem(index, 'UNKNOWN_TEXT', `signature on a text of ${entry.letter} never published in the log`);
        L.tally.signatures++;
        this.#grow(index);
        this.#kinds[index] = KIND_SIG;
        this.#letterOf[index] = L.idx;
        this.#hashes.set(e.leafHash, index * HASH_SIZE);
        return;
      }
      case 'withdraw':
      case 'remove': {
        const ref = entry.ref;
        if (ref >= index || ref >= this.#kinds.length || this.#kinds[ref] === KIND_NONE) {
          this.#problem(index, 'BAD_REF', `${entry.type} refers to ${ref}, which is not an earlier signature`);
          return;
        }
        if (this.#letterOf[ref] !== L.idx) {
          this.#problem(index, 'REF_LETTER', `${entry.type} for ${entry.letter} refers to a signature on another letter`);
          return;
        }
        if (!bytesEqual(this.#hashes.subarray(ref * HASH_SIZE, (ref + 1) * HASH_SIZE), entry.refHash)) {
          this.#problem(index, 'REF_HASH', `${entry.type} refhash does not match entry ${ref}`);
          return;
        }
        if (this.#kinds[ref] === KIND_GONE) {
          this.#problem(index, 'ALREADY_GONE', `signature ${ref} was already withdrawn or removed`);
          return;
        }
        this.#kinds[ref] = KIND_GONE;
        if (entry.type === 'withdraw') L.tally.withdrawn++;
        else L.tally.removed[entry.reason]++;
        return;
      }
    }
  }

  result(): CountResult {
    const letters = this.#letters
      .map(({ tally }) => {
        const removed = tally.removed.signer + tally.removed.duplicate + tally.removed.fraud + tally.removed.legal;
        return { ...tally, removed: { ...tally.removed }, count: tally.signatures - tally.withdrawn - removed };
      })
      .sort((a, b) => (a.letter < b.letter ? -1 : a.letter > b.letter ? 1 : 0));
    return { letters, problems: [...this.#problems] };
  }
}

/** Recompute every letter's count from the log's entries (in index order). */
export function countLetters(entries: Iterable<IndexedEntry>): CountResult {
  const counter = new LetterCounter();
  for (const e of entries) counter.add(e);
  return counter.result();
}
