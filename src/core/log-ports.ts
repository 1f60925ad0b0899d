/**
 * Ports of the transparency log in the product (docs/transparency-log.md §7): the queue of entries written in the
 * same transaction as the change they record, the private openings of each signature's commitments, the signer's
 * tokens (receipt, withdrawal), and the published files (tiles, entry bundles, checkpoint) the sequencer writes.
 * Every adapter passes src/adapters/storage/log.case.ts.
 */
import type { LogCrypto } from './log/crypto.ts';
import type { RemovalReason } from './log/entries.ts';
import type { Signature } from './model.ts';

/** What use-cases need to write entries: hashing/HMAC and 32-byte random openings (a CSPRNG). */
export interface LogPort {
  crypto: LogCrypto;
  opening(): Uint8Array;
}

export type QueuedKind = 'letter' | 'sig' | 'withdraw' | 'remove' | 'delivery' | 'reply';

/** One entry in the queue, before or after sequencing. */
export interface QueuedEntry {
  /** Queue order (assigned by the store). */
  id: number;
  kind: QueuedKind;
  /** The log's letter id: the letter's slug (fixed once published). */
  letter: string;
  /** Unix seconds of the event. */
  time: number;
  /** Entry bytes; absent for withdraw/remove until sequenced (their ref is only known then). */
  bytes?: Uint8Array | undefined;
  /** withdraw/remove: queue id of the `sig` entry they cancel. */
  refEntryId?: number | undefined;
  reason?: RemovalReason | undefined;
  signatureId?: string | undefined;
  /** letter/sig: base64 SHA-256 of the canonical text. */
  textHash?: string | undefined;
  /** Log index, once sequenced. */
  index?: number | undefined;
}

export type NewQueuedEntry = Omit<QueuedEntry, 'id' | 'index'>;

/** The private side of a signature's log entry. The openings never enter the log. */
export interface SignatureLog {
  signatureId: string;
  letterId: string;
  /** Queue id of the signature's current `sig` entry (a re-confirmation after a withdrawal makes a new one). */
  entryId: number;
  /** Log index of that entry once sequenced. */
  logIndex?: number | undefined;
  /** 32-byte openings; deleted on erasure. */
  nameOpening?: Uint8Array | undefined;
  contactOpening?: Uint8Array | undefined;
  erasedAt?: string | undefined;
}

/** What a signer's private link opens: the receipt page, the withdrawal page, the "manage my signature" page, or the end of a letter's updates. */
export type SignerTokenPurpose = 'receipt' | 'withdraw' | 'manage' | 'unsubscribe';

/** One log entry about a signature, as its signer's own page lists it. */
export interface SignerLogEntry {
  kind: 'sig' | 'withdraw' | 'remove';
  /** Log index, once sequenced. */
  index?: number | undefined;
  /** Unix seconds of the event. */
  time: number;
  reason?: RemovalReason | undefined;
}

export interface LogState {
  size: number;
  root: Uint8Array;
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
  /** Verifier key that signed it: a process with another key refuses to extend the log. */
  vkey: string;
  updatedAt: string;
}

/** A tile (level ≥ 0) or an entry bundle (level -1), as written by a batch. */
export interface StoredTile {
  level: number;
  index: number;
  width: number;
  data: Uint8Array;
}

/**
 * One item of the auditors' export of name openings (docs/transparency-log.md §7.3): a signature the public list
 * shows (confirmed, public) whose current `sig` entry has a log index. `nameOpening` is undefined once the signer's
 * data was erased: the list shows such an item as "(name erased)" with its log index and nothing else.
 * Never: hidden, pending, withdrawn or removed signatures, contact openings, emails.
 */
export interface PublicOpening {
  index: number;
  name: string;
  nameOpening?: Uint8Array | undefined;
}

export interface Removals {
  withdrawn: number;
  removed: Record<RemovalReason, number>;
}

export interface LogRepo {
  /** Appends to the queue; returns the queue id. */
  enqueue(e: NewQueuedEntry): Promise<number>;
  putSignatureLog(r: SignatureLog): Promise<void>;
  signatureLog(signatureId: string): Promise<SignatureLog | undefined>;
  signatureLogs(signatureIds: string[]): Promise<Map<string, SignatureLog>>;
  /** Deletes both openings and marks the record erased. */
  eraseSignatureLog(signatureId: string, at: string): Promise<void>;
  /** Confirmed signatures of the letter that have no log entry yet (imported lists, before publishing), by id. */
  unlogged(letterId: string, limit: number): Promise<Signature[]>;
  /** Base64 text hashes with a `letter` entry (queued or sequenced) for the letter. */
  textHashes(letter: string): Promise<Set<string>>;
  /**
   * Withdrawals and removals queued or sequenced for the letter: what the log will show, counting each signature's
   * first cancellation only (a duplicate cancellation counts nothing: docs/transparency-log.md §7.8).
   */
  removals(letter: string): Promise<Removals>;

  putSignerToken(tokenHash: string, signatureId: string, purpose: SignerTokenPurpose, createdAt: string): Promise<void>;
  signerToken(tokenHash: string): Promise<{ signatureId: string; purpose: SignerTokenPurpose } | undefined>;
  /** The signature's own log entries (its `sig` entries and their cancellations), in queue order. */
  entriesOfSignature(signatureId: string): Promise<SignerLogEntry[]>;
  /** Erasure: the signature's tokens, and mail still held for the address. */
  forgetSigner(signatureId: string, email: string): Promise<void>;

  /** Organiser-set retention of personal data, in days (undefined: kept while the letter lives). */
  setRetention(letterId: string, days: number | undefined): Promise<void>;
  retentions(): Promise<{ letterId: string; days: number }[]>;
  /**
   * Signatures of the letter whose personal data is due for erasure and not erased yet: withdrawn or invalidated
   * before `cutoff`, or — `allStatuses`, for a letter closed before the cutoff — every one.
   */
  erasable(letterId: string, cutoff: string, allStatuses: boolean, limit: number): Promise<string[]>;

  // --- sequencer side (inside one transaction per batch) ---
  /**
   * Takes the sequencer's lock for this transaction: false when another process holds it (PostgreSQL advisory
   * lock); on SQLite it takes the write lock first so the batch reads what it will extend.
   */
  lockSequencer(): Promise<boolean>;
  state(): Promise<LogState | undefined>;
  /** Unsequenced entries in queue order. */
  pending(limit: number): Promise<QueuedEntry[]>;
  /** Sequenced entries by queue id (to resolve refs). */
  entriesById(ids: number[]): Promise<QueuedEntry[]>;
  /** Records indexes and bytes (and the log index of each signature's sig entry). */
  recordSequenced(rows: { id: number; index: number; bytes: Uint8Array }[]): Promise<void>;
  /** Writes tiles and bundles; a stored tile is only ever widened (never narrowed by a stale writer). */
  putTiles(tiles: StoredTile[]): Promise<void>;
  /** Publishes the new state if the stored one still has `previousSize` (null: none yet); false otherwise. */
  putState(s: LogState, previousSize: number | null): Promise<boolean>;

  // --- readers (HTTP, receipts, resuming) ---
  /** Tile bytes of exactly `width` hashes (served from a wider stored tile when needed), or undefined. */
  readTile(level: number, index: number, width: number): Promise<Uint8Array | undefined>;
  readBundle(index: number, width: number): Promise<Uint8Array | undefined>;
  /**
   * The public list's items whose current `sig` entry has a log index in [from, to), in index order: what the
   * public signatures API shows of them (name, name opening; erased items without either). One indexed read.
   */
  publicOpenings(from: number, to: number): Promise<PublicOpening[]>;
  /**
   * `sig` entries with a log index in [from, to) that repeat the signature's previous `sig` entry (`of`, its log
   * index) while that one was not cancelled: the same signature written twice (docs/transparency-log.md §7.8), in
   * index order. A signature given again after a withdrawal is not a repeat.
   */
  repeatedSignatures(from: number, to: number): Promise<{ index: number; of: number }[]>;
  /** Entry bytes at a log index. */
  entryAt(index: number): Promise<Uint8Array | undefined>;
  pendingCount(): Promise<number>;
}
