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
 *                                [source paper|imported]       (only for signatures not confirmed by email)
 *
 *   undersigned/v1 delivery      (the letter's PDF mailed to its addressees)
 *   letter <id>
 *   time <unix s>
 *   size <tree size the PDF shows>
 *   pdf <b64 sha256 of the PDF>
 *
 *   undersigned/v1 reply         (the addressee's answer, recorded by an owner)
 *   letter <id>
 *   time <unix s>
 *   text <b64 sha256 of the reply's canonical text>
 *   pdf <b64 sha256 of its PDF; of nothing (47DEQpj8…) without one>
 *
 * `withdraw` is the signer's own act (via the link only they received);
 * `remove` is an organiser's act, with a public reason — including `signer`
 * when the signer asked the organiser rather than using their link. Keeping
 * the two apart means organisers cannot pass removals off as withdrawals.
 */
import type { LogCrypto, LogHasher } from './crypto.ts';
import { bytesEqual, concatBytes, parseDecimal, toBase64, utf8 } from './bytes.ts';
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
  /**
   * How the signature came, when not confirmed by email: `paper` (a paper sheet typed in by an organiser) or
   * `imported` (a list brought from elsewhere). Absent for email: an email signature's bytes are as before.
   */
  source?: SignatureSource | undefined;
}

/** Sources a `sig` entry may name (an email-confirmed signature names none). */
export const ENTRY_SOURCES = ['paper', 'imported'] as const;
export type SignatureSource = (typeof ENTRY_SOURCES)[number];

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

/** The letter's PDF was mailed to its addressees: anyone holding the PDF can check it is the one logged. */
export interface DeliveryEntry {
  type: 'delivery';
  letter: string;
  time: number;
  /** The log's tree size printed on the PDF (the signatures it lists are entries below it). */
  size: number;
  /** SHA-256 of the PDF's bytes. */
  pdf: Uint8Array;
}

/** The addressee's reply was recorded: its canonical text's hash (core/updates/update.ts) and its PDF's, if any. */
export interface ReplyEntry {
  type: 'reply';
  letter: string;
  time: number;
  /** SHA-256 of the reply's canonical text (its date and every language). */
  text: Uint8Array;
  /** SHA-256 of the reply's PDF, or of zero bytes when it has none. */
  pdf: Uint8Array;
}

export type LogEntry = LetterEntry | SignatureEntry | WithdrawalEntry | RemovalEntry | DeliveryEntry | ReplyEntry;

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
      if (e.source !== undefined) {
        if (!(ENTRY_SOURCES as readonly string[]).includes(e.source)) fail('BAD_ENTRY', `bad signature source ${JSON.stringify(e.source)}`);
        lines.push(`source ${e.source}`);
      }
      break;
    case 'withdraw':
    case 'remove': {
      if (!Number.isSafeInteger(e.ref) || e.ref < 0) fail('BAD_ENTRY', 'ref must be a log index');
      const reasons: readonly string[] = e.type === 'withdraw' ? ['signer'] : REMOVAL_REASONS;
      if (!reasons.includes(e.reason)) fail('BAD_ENTRY', `bad ${e.type} reason ${JSON.stringify(e.reason)}`);
      lines = [`letter ${e.letter}`, `time ${checkTime(e.time)}`, `ref ${e.ref}`, `refhash ${checkHash(e.refHash, 'refhash')}`, `reason ${e.reason}`];
      break;
    }
    case 'delivery':
      if (!Number.isSafeInteger(e.size) || e.size < 0) fail('BAD_ENTRY', 'size must be a tree size');
      lines = [`letter ${e.letter}`, `time ${checkTime(e.time)}`, `size ${e.size}`, `pdf ${checkHash(e.pdf, 'pdf')}`];
      break;
    case 'reply':
      lines = [`letter ${e.letter}`, `time ${checkTime(e.time)}`, `text ${checkHash(e.text, 'text')}`, `pdf ${checkHash(e.pdf, 'pdf')}`];
      break;
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
  delivery: ['letter', 'time', 'size', 'pdf'],
  reply: ['letter', 'time', 'text', 'pdf'],
};

/**
 * Decode an entry, accepting only its canonical encoding: exact field names
 * and order, ASCII, canonical base64 of 32 bytes, decimals without leading
 * zeros, trailing newline, nothing else.
 */
export function decodeEntry(bytes: Uint8Array): LogEntry {
  return decodeEntryText(bytes).entry;
}

/**
 * decodeEntry, also returning the `text` field as written (base64): the counter keys published texts by it, and
 * re-encoding it for every signature of a million-entry log cost more than decoding. Parsed in place with a cursor
 * (no split into lines, no closures, hashes decoded straight from the text): an audit decodes a million entries.
 */
export function decodeEntryText(bytes: Uint8Array): { entry: LogEntry; text?: string } {
  const n = bytes.length;
  if (n > MAX_ENTRY_SIZE) fail('BAD_ENTRY', 'entry too large');
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b > 0x7e || (b < 0x20 && b !== 0x0a)) fail('BAD_ENTRY', 'entry must be printable ASCII with LF line endings');
  }
  const s = asciiDecoder.decode(bytes);
  if (n === 0 || s.charCodeAt(n - 1) !== 0x0a) fail('BAD_ENTRY', 'entry must end in a newline');
  if (!s.startsWith(ENTRY_PREFIX + ' ')) fail('BAD_ENTRY', `not an ${ENTRY_PREFIX} entry`);
  const headEnd = s.indexOf('\n');
  const type = s.slice(ENTRY_PREFIX.length + 1, headEnd) as LogEntry['type'];
  if (!Object.hasOwn(FIELDS, type)) fail('BAD_ENTRY', `unknown entry type ${JSON.stringify(type)}`);
  // Every field: "<name> <value>\n", in FIELDS order; `e` is the index of each value's newline.
  let p = headEnd + 1;
  let e = fieldEnd(s, p, 'letter');
  const letter = s.slice(p + 7, e);
  if (!isLetterId(letter)) fail('BAD_ENTRY', 'bad letter id');
  let entry: LogEntry;
  let text: string | undefined;
  switch (type) {
    case 'letter': {
      p = e + 1;
      e = fieldEnd(s, p, 'time');
      const time = numField(s.slice(p + 5, e), 'time');
      p = e + 1;
      e = fieldEnd(s, p, 'text');
      entry = { type, letter, time, text: hashAt(s, p + 5, e, 'text') };
      text = s.slice(p + 5, e);
      break;
    }
    case 'sig': {
      p = e + 1;
      e = fieldEnd(s, p, 'text');
      const t = hashAt(s, p + 5, e, 'text');
      text = s.slice(p + 5, e);
      p = e + 1;
      e = fieldEnd(s, p, 'time');
      const time = numField(s.slice(p + 5, e), 'time');
      p = e + 1;
      e = fieldEnd(s, p, 'name');
      const name = hashAt(s, p + 5, e, 'name');
      p = e + 1;
      e = fieldEnd(s, p, 'contact');
      entry = { type, letter, text: t, time, name, contact: hashAt(s, p + 8, e, 'contact') };
      if (e + 1 < n) {
        // The optional last field: how a signature not confirmed by email came (never written as "source email").
        p = e + 1;
        e = fieldEnd(s, p, 'source');
        const source = s.slice(p + 7, e);
        if (!(ENTRY_SOURCES as readonly string[]).includes(source)) fail('BAD_ENTRY', `bad signature source ${JSON.stringify(source)}`);
        entry.source = source as SignatureSource;
      }
      break;
    }
    case 'withdraw':
    case 'remove': {
      p = e + 1;
      e = fieldEnd(s, p, 'time');
      const time = numField(s.slice(p + 5, e), 'time');
      p = e + 1;
      e = fieldEnd(s, p, 'ref');
      const ref = numField(s.slice(p + 4, e), 'ref');
      p = e + 1;
      e = fieldEnd(s, p, 'refhash');
      const refHash = hashAt(s, p + 8, e, 'refhash');
      p = e + 1;
      e = fieldEnd(s, p, 'reason');
      const reason = s.slice(p + 7, e);
      if (type === 'withdraw') {
        if (reason !== 'signer') fail('BAD_ENTRY', 'a withdrawal is always by the signer (reason signer)');
        entry = { type, letter, time, ref, refHash, reason: 'signer' };
      } else {
        if (!(REMOVAL_REASONS as readonly string[]).includes(reason)) fail('BAD_ENTRY', `bad removal reason ${JSON.stringify(reason)}`);
        entry = { type, letter, time, ref, refHash, reason: reason as RemovalReason };
      }
      break;
    }
    case 'delivery': {
      p = e + 1;
      e = fieldEnd(s, p, 'time');
      const time = numField(s.slice(p + 5, e), 'time');
      p = e + 1;
      e = fieldEnd(s, p, 'size');
      const size = numField(s.slice(p + 5, e), 'size');
      p = e + 1;
      e = fieldEnd(s, p, 'pdf');
      entry = { type, letter, time, size, pdf: hashAt(s, p + 4, e, 'pdf') };
      break;
    }
    case 'reply': {
      p = e + 1;
      e = fieldEnd(s, p, 'time');
      const time = numField(s.slice(p + 5, e), 'time');
      p = e + 1;
      e = fieldEnd(s, p, 'text');
      const t = hashAt(s, p + 5, e, 'text');
      p = e + 1;
      e = fieldEnd(s, p, 'pdf');
      entry = { type, letter, time, text: t, pdf: hashAt(s, p + 4, e, 'pdf') };
      break;
    }
  }
  if (e + 1 !== n) fail('BAD_ENTRY', `${type} entry needs ${FIELDS[type].length} fields`);
  return text === undefined ? { entry } : { entry, text };
}

/** Index of the newline ending field `name` that starts at `p`; the value starts after "<name> ". */
function fieldEnd(s: string, p: number, name: string): number {
  if (p >= s.length || !s.startsWith(name, p) || s.charCodeAt(p + name.length) !== 0x20) fail('BAD_ENTRY', `expected field ${name}`);
  return s.indexOf('\n', p + name.length + 1);
}

/**
 * The 32 bytes of the canonical base64 in s[start, end): exactly 43 symbols and one "=", the last symbol's unused
 * bits zero (the same rule as fromBase64, without cutting the string out first).
 */
function hashAt(s: string, start: number, end: number, k: string): Uint8Array {
  if (end - start !== 44 || s.charCodeAt(end - 1) !== 61) fail('BAD_ENTRY', `${k} must be canonical base64 of 32 bytes`);
  const out = new Uint8Array(HASH_SIZE);
  let o = 0;
  for (let i = start; i < start + 40; i += 4) {
    const a = symAt(s, i, k);
    const b = symAt(s, i + 1, k);
    const c = symAt(s, i + 2, k);
    const d = symAt(s, i + 3, k);
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 15) << 4) | (c >> 2);
    out[o++] = ((c & 3) << 6) | d;
  }
  const a = symAt(s, start + 40, k);
  const b = symAt(s, start + 41, k);
  const c = symAt(s, start + 42, k);
  if (c & 3) fail('BAD_ENTRY', `${k} is not canonical base64`);
  out[30] = (a << 2) | (b >> 4);
  out[31] = ((b & 15) << 4) | (c >> 2);
  return out;
}

function symAt(s: string, i: number, k: string): number {
  const c = s.charCodeAt(i);
  const d = c < 128 ? B64_VALUE[c]! : -1;
  if (d < 0) fail('BAD_ENTRY', `${k} is not canonical base64`);
  return d;
}

const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;

function numField(v: string, k: string): number {
  const n = parseDecimal(v);
  if (n === null) fail('BAD_ENTRY', `${k} must be a decimal without leading zeros`);
  return n;
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
  // One message buffer, reused (LogCrypto must not keep its input): an audit checks a million names.
  const v = value.normalize('NFC');
  const prefix = label === 'name' ? NAME_LABEL : CONTACT_LABEL;
  const head = OPENING_SIZE + prefix.length;
  if (commitScratch.length < head + 3 * v.length) commitScratch = new Uint8Array(Math.max(2 * commitScratch.length, head + 3 * v.length));
  commitScratch.set(opening, 0);
  commitScratch.set(prefix, OPENING_SIZE);
  const { written } = textEncoder.encodeInto(v, commitScratch.subarray(head));
  return c.hmacSha256(COMMITMENT_KEY, commitScratch.subarray(0, head + written));
}

/** label || 0x00 */
const NAME_LABEL = concatBytes(utf8('name'), new Uint8Array([0]));
const CONTACT_LABEL = concatBytes(utf8('contact'), new Uint8Array([0]));
const textEncoder = new TextEncoder();
/** UTF-8 needs at most 3 bytes per UTF-16 code unit. */
let commitScratch = new Uint8Array(256);

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
  /** Of `count`, the signatures whose entry names a source (not confirmed by email): paper sheets, imported lists. */
  sources: Record<SignatureSource, number>;
  /**
   * Duplicate entries, never counted (docs/transparency-log.md §7.8): `sig` entries that repeat a signature the log
   * holds already (`signatures` counts each signature once), and withdrawals or removals of a signature cancelled
   * already (`withdrawn` and `removed` count each signature's first cancellation only).
   */
  duplicates: { signatures: number; cancellations: number };
}

export type CountProblemCode =
  | 'BAD_ENTRY'
  | 'OUT_OF_ORDER'
  | 'UNKNOWN_LETTER'
  | 'UNKNOWN_TEXT'
  | 'BAD_REF'
  | 'REF_LETTER'
  | 'REF_HASH'
  | 'BAD_DUPLICATE';

/**
 * Found in a log that still verifies and whose count is still right: duplicate entries, which the server wrote
 * and must not have (a fault worth reporting, not a failed audit).
 */
export type CountWarningCode = 'DUPLICATE_SIG' | 'DUPLICATE_CANCEL';

export interface CountWarning {
  index: number;
  code: CountWarningCode;
  message: string;
}

export interface CountProblem {
  index: number;
  code: CountProblemCode;
  message: string;
}

export interface CountResult {
  letters: LetterTally[];
  problems: CountProblem[];
  warnings: CountWarning[];
}

export interface IndexedEntry {
  index: number;
  bytes: Uint8Array;
  /** RFC 6962 leaf hash of `bytes` (withdrawals and removals are checked against it). */
  leafHash: Uint8Array;
  /** The entry decoded, when the producer decoded it already (verifyLog does; undefined if it does not decode). */
  entry?: LogEntry | undefined;
}

interface LetterState {
  idx: number;
  tally: LetterTally;
  /** Text hashes (base64) of the versions published so far. */
  texts: Set<string>;
  /** The text of the last signature found in `texts`: most signatures are on the same text, and a string compare is cheaper than a lookup. */
  lastText: string;
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
 * match (would let the operator cancel arbitrary entries); a signature on a
 * letter or text version never published in the log.
 * Invalid cancellations are reported and not applied.
 *
 * Duplicates (docs/transparency-log.md §7.8) are counted once and reported as
 * warnings: a second withdrawal or removal of a signature (seen in the log
 * alone), and a `sig` entry the server declares a repeat of an earlier one of
 * the same signature (`markDuplicate`, from the openings export) — accepted
 * only if that earlier entry is a signature on the same letter not cancelled
 * before the repeat (else a re-confirmation would be hidden: BAD_DUPLICATE).
 */
export class LetterCounter {
  #kinds = new Uint8Array(1024);
  #letterOf = new Uint32Array(1024);
  #hashes = new Uint8Array(1024 * HASH_SIZE);
  #letters: LetterState[] = [];
  #letterIdx = new Map<string, number>();
  #lastLetter: LetterState | undefined;
  #last = -1;
  #problems: CountProblem[] = [];
  #warnings: CountWarning[] = [];
  /** Per cancelled signature: 1 + the index of its first cancellation (0: not cancelled). */
  #cancelAt = new Float64Array(1024);
  /** Per cancelled signature: what cancelled it first (0 withdraw, 1 + position in REMOVAL_REASONS). */
  #cancelKind = new Uint8Array(1024);
  /** Per signature entry: 0 email, 1 + position in ENTRY_SOURCES. */
  #sourceOf = new Uint8Array(1024);
  /** Declared repeats: [repeat index, earlier index]. */
  #dups: [number, number][] = [];
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
    const c = new Float64Array(n);
    c.set(this.#cancelAt);
    this.#cancelAt = c;
    const ck = new Uint8Array(n);
    ck.set(this.#cancelKind);
    this.#cancelKind = ck;
    const so = new Uint8Array(n);
    so.set(this.#sourceOf);
    this.#sourceOf = so;
  }

  #warn(index: number, code: CountWarningCode, message: string): void {
    if (this.#warnings.length < this.maxProblems) this.#warnings.push({ index, code, message });
  }

  /**
   * The server declares `index` a repeat of the earlier `sig` entry `of` for the same signature (an entry written
   * twice). Call after both entries were added; checked here, counted once in result().
   */
  markDuplicate(index: number, of: number): void {
    const sigAt = (i: number) => Number.isSafeInteger(i) && i >= 0 && i <= this.#last && i < this.#kinds.length && this.#kinds[i] !== KIND_NONE;
    if (!sigAt(index) || !sigAt(of) || of >= index) {
      this.#problem(index, 'BAD_DUPLICATE', `entry ${index} is declared a repeat of entry ${of}, which is not an earlier signature`);
      return;
    }
    if (this.#letterOf[index] !== this.#letterOf[of]) {
      this.#problem(index, 'BAD_DUPLICATE', `entry ${index} is declared a repeat of entry ${of}, a signature on another letter`);
      return;
    }
    const c = this.#cancelAt[of]!;
    if (c !== 0 && c - 1 < index) {
      this.#problem(index, 'BAD_DUPLICATE', `entry ${index} is declared a repeat of entry ${of}, which was cancelled (entry ${c - 1}) before it: a signature given again`);
      return;
    }
    this.#dups.push([index, of]);
  }

  #letter(id: string): LetterState {
    let idx = this.#letterIdx.get(id);
    if (idx === undefined) {
      idx = this.#letters.length;
      this.#letterIdx.set(id, idx);
      this.#letters.push({
        idx,
        tally: { letter: id, versions: 0, signatures: 0, withdrawn: 0, removed: { signer: 0, duplicate: 0, fraud: 0, legal: 0 }, count: 0, sources: { paper: 0, imported: 0 }, duplicates: { signatures: 0, cancellations: 0 } },
        texts: new Set(),
        lastText: '',
      });
    }
    return this.#letters[idx]!;
  }

  /** Counts one entry; returns it decoded (undefined when it is out of order or undecodable, which is reported). */
  add(e: IndexedEntry): LogEntry | undefined {
    const { index } = e;
    if (!Number.isSafeInteger(index) || index <= this.#last) {
      this.#problem(index, 'OUT_OF_ORDER', `entry ${index} after ${this.#last}`);
      return undefined;
    }
    this.#last = index;
    let entry: LogEntry;
    let text: string | undefined;
    try {
      ({ entry, text } = decodeEntryText(e.bytes));
    } catch (err) {
      this.#problem(index, 'BAD_ENTRY', (err as Error).message);
      return undefined;
    }
    // Most entries are on the letter of the entry before.
    const last = this.#lastLetter;
    const known = (last !== undefined && last.tally.letter === entry.letter) || this.#letterIdx.has(entry.letter);
    const L = last !== undefined && last.tally.letter === entry.letter ? last : this.#letter(entry.letter);
    this.#lastLetter = L;
    switch (entry.type) {
      case 'letter':
        L.tally.versions++;
        L.texts.add(text!);
        return entry;
      case 'sig': {
        if (!known || L.tally.versions === 0) this.#problem(index, 'UNKNOWN_LETTER', `signature on letter ${entry.letter} before any published version`);
        else if (text !== L.lastText) {
          if (L.texts.has(text!)) L.lastText = text!;
          else this.#problem(index, 'UNKNOWN_TEXT', `signature on a text of ${entry.letter} never published in the log`);
        }
        L.tally.signatures++;
        this.#grow(index);
        this.#kinds[index] = KIND_SIG;
        this.#letterOf[index] = L.idx;
        this.#hashes.set(e.leafHash, index * HASH_SIZE);
        if (entry.source !== undefined) {
          this.#sourceOf[index] = 1 + ENTRY_SOURCES.indexOf(entry.source);
          L.tally.sources[entry.source]++;
        }
        return entry;
      }
      case 'withdraw':
      case 'remove': {
        const ref = entry.ref;
        if (ref >= index || ref >= this.#kinds.length || this.#kinds[ref] === KIND_NONE) {
          this.#problem(index, 'BAD_REF', `${entry.type} refers to ${ref}, which is not an earlier signature`);
          return entry;
        }
        if (this.#letterOf[ref] !== L.idx) {
          this.#problem(index, 'REF_LETTER', `${entry.type} for ${entry.letter} refers to a signature on another letter`);
          return entry;
        }
        if (!bytesEqual(this.#hashes.subarray(ref * HASH_SIZE, (ref + 1) * HASH_SIZE), entry.refHash)) {
          this.#problem(index, 'REF_HASH', `${entry.type} refhash does not match entry ${ref}`);
          return entry;
        }
        if (this.#kinds[ref] === KIND_GONE) {
          // Counted by the first cancellation; this one is a duplicate (the server wrote it twice).
          L.tally.duplicates.cancellations++;
          this.#warn(index, 'DUPLICATE_CANCEL', `${entry.type} of signature ${ref} again (first cancelled by entry ${this.#cancelAt[ref]! - 1}): a duplicate, not counted`);
          return entry;
        }
        this.#kinds[ref] = KIND_GONE;
        this.#cancelAt[ref] = index + 1;
        this.#cancelKind[ref] = entry.type === 'withdraw' ? 0 : 1 + REMOVAL_REASONS.indexOf(entry.reason);
        if (entry.type === 'withdraw') L.tally.withdrawn++;
        else L.tally.removed[entry.reason]++;
        if (this.#sourceOf[ref]) L.tally.sources[ENTRY_SOURCES[this.#sourceOf[ref]! - 1]!]--;
        return entry;
      }
      case 'delivery':
        // Counts nothing; the PDF it names shows a tree size no larger than the log when it was delivered.
        if (entry.size > index) this.#problem(index, 'BAD_ENTRY', `delivery of ${entry.letter} names tree size ${entry.size}, beyond its own index`);
        return entry;
      case 'reply':
        // Counts nothing: a reader holding the reply's text (and PDF) checks its hashes against this entry.
        return entry;
    }
  }

  result(): CountResult {
    const tallies = this.#letters.map(({ tally }) => ({ ...tally, removed: { ...tally.removed }, sources: { ...tally.sources }, duplicates: { ...tally.duplicates } }));
    const warnings = [...this.#warnings];
    // Declared repeats: each group of entries of one signature counts as one signature, cancelled by its first
    // cancellation; its other entries and other cancellations are duplicates.
    const parent = new Map<number, number>();
    const find = (i: number): number => {
      let r = i;
      while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
      parent.set(i, r);
      return r;
    };
    for (const [index, of] of this.#dups) {
      const a = find(index);
      const b = find(of);
      if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
    }
    const groups = new Map<number, number[]>();
    for (const i of parent.keys()) {
      const r = find(i);
      const g = groups.get(r);
      if (g) g.push(i);
      else groups.set(r, [i]);
    }
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      members.sort((x, y) => x - y);
      const t = tallies[this.#letterOf[members[0]!]!]!;
      t.signatures -= members.length - 1;
      t.duplicates.signatures += members.length - 1;
      for (const i of members.slice(1)) {
        if (warnings.length < this.maxProblems) warnings.push({ index: i, code: 'DUPLICATE_SIG', message: `signature entry ${i} repeats entry ${members[0]} (the same signature): a duplicate, not counted` });
      }
      const cancelled = members.filter((i) => this.#cancelAt[i] !== 0).sort((x, y) => this.#cancelAt[x]! - this.#cancelAt[y]!);
      // Per source, the group stands once (or not at all, once cancelled), not once per entry left standing.
      const src = this.#sourceOf[members[0]!]!;
      if (src) t.sources[ENTRY_SOURCES[src - 1]!] += (cancelled.length ? 0 : 1) - (members.length - cancelled.length);
      for (const i of cancelled.slice(1)) {
        const k = this.#cancelKind[i]!;
        if (k === 0) t.withdrawn--;
        else t.removed[REMOVAL_REASONS[k - 1]!]--;
        t.duplicates.cancellations++;
        if (warnings.length < this.maxProblems) warnings.push({ index: this.#cancelAt[i]! - 1, code: 'DUPLICATE_CANCEL', message: `entry ${this.#cancelAt[i]! - 1} cancels the same signature as entry ${this.#cancelAt[cancelled[0]!]! - 1}: a duplicate, not counted` });
      }
    }
    const letters = tallies
      .map((tally) => {
        const removed = tally.removed.signer + tally.removed.duplicate + tally.removed.fraud + tally.removed.legal;
        return { ...tally, count: tally.signatures - tally.withdrawn - removed };
      })
      .sort((a, b) => (a.letter < b.letter ? -1 : a.letter > b.letter ? 1 : 0));
    return { letters, problems: [...this.#problems], warnings: warnings.sort((a, b) => a.index - b.index) };
  }
}

/** Recompute every letter's count from the log's entries (in index order). */
export function countLetters(entries: Iterable<IndexedEntry>): CountResult {
  const counter = new LetterCounter();
  for (const e of entries) counter.add(e);
  return counter.result();
}
