/**
 * Independent verification of a whole log from its public files — the heart
 * of `undersigned audit`. Given only the published checkpoint, tiles and entry
 * bundles, plus the log's verifier key:
 *
 *  1. verify the checkpoint signature, key ID and origin;
 *  2. re-hash every entry from the entry bundles and rebuild the tree;
 *  3. require the rebuilt root to equal the checkpoint root (threat: entries
 *     altered, dropped, reordered or inserted after signing);
 *  4. require every stored tile to equal the rebuilt one (threat: tiles that
 *     serve proofs for a different tree than the entries describe, so receipts
 *     would verify against hashes no entry backs);
 *  5. optionally require the root at a previously seen size to match (threat:
 *     a fork or rollback between two audits — stronger than a consistency
 *     proof, since the whole prefix is rebuilt);
 *  6. recompute every letter's count from the entries (duplicate entries
 *     counted once and reported as warnings: docs/transparency-log.md §7.8).
 *
 * Pure apart from awaiting the injected reader; hashing is the injected sync
 * SHA-256, so a million entries take a few seconds.
 */
import type { LogCrypto } from './crypto.ts';
import { bytesEqual } from './bytes.ts';
import { type Checkpoint, openCheckpoint } from './checkpoint.ts';
import { LetterCounter, type CountProblemCode, type CountWarning, type IndexedEntry, type LetterTally } from './entries.ts';
import { leafHash } from './merkle.ts';
import type { NoteVerifier, OpenedNote } from './note.ts';
import {
  FULL_TILE_BYTES,
  TILE_WIDTH,
  TileTree,
  parseEntryBundle,
  tileWidthAt,
  entriesPath,
  type EntryBundleReader,
  type TileReader,
  type TileWrite,
} from './tiles.ts';

export type VerifyProblemCode =
  | 'BUNDLE_UNREADABLE'
  | 'BAD_BUNDLE'
  | 'TILE_UNREADABLE'
  | 'TILE_MISMATCH'
  | 'ROOT_MISMATCH'
  | 'PREVIOUS_MISMATCH'
  | CountProblemCode;

export interface VerifyProblem {
  code: VerifyProblemCode;
  message: string;
  /** Entry index, when the problem is about one entry. */
  index?: number;
  /** Resource path relative to the log prefix, when the problem is about a file. */
  path?: string;
}

export interface VerifyProgress {
  entries: number;
  total: number;
}

export interface VerifyLogOptions {
  crypto: LogCrypto;
  reader: TileReader & EntryBundleReader;
  /** The signed checkpoint text as fetched from `<prefix>/checkpoint`. */
  checkpoint: string | Uint8Array;
  verifiers: readonly NoteVerifier[];
  origin: string;
  /** Name of the log's own key; defaults to the origin. */
  logKeyName?: string;
  /** The tree the auditor saw last time; its root must reappear at that size. */
  previous?: { size: number; root: Uint8Array };
  /** Compare stored tiles with the rebuilt ones (default true). */
  checkTiles?: boolean;
  /** Recompute letter counts and check entry semantics (default true). */
  countLetters?: boolean;
  /**
   * The counter to count with (default a new one): a caller that learns of declared repeats while the entries are
   * read (the openings export) marks them on it and takes its result() again once it has them all.
   */
  counter?: LetterCounter;
  /** Each entry in index order, decoded (`entry`) when counting is on. */
  onEntry?: (e: IndexedEntry) => void;
  /**
   * After each entry bundle is hashed and counted: its entries (decoded when counting is on). May return a promise,
   * awaited before the next bundle (an auditor checks what else it fetched for that bundle). Not called for a
   * bundle that could not be read or parsed.
   */
  onBundle?: (b: { index: number; width: number; entries: readonly IndexedEntry[] }) => void | Promise<void>;
  onProgress?: (p: VerifyProgress) => void;
  /** Entry bundles fetched ahead (default 16). */
  concurrency?: number;
  maxProblems?: number;
}

export interface VerifyLogResult {
  ok: boolean;
  checkpoint: Checkpoint;
  note: OpenedNote;
  /** Root rebuilt from the entries (null if the entries could not all be read). */
  root: Uint8Array | null;
  entries: number;
  tilesChecked: number;
  problems: VerifyProblem[];
  /** Duplicate entries (counted once): the log verifies, but the server wrote them and must not have. */
  warnings: CountWarning[];
  letters: LetterTally[];
}

type Fetched = { bundle?: Uint8Array; tile?: Uint8Array; bundleError?: unknown; tileError?: unknown };

function sameTile(stored: Uint8Array, expected: Uint8Array): boolean {
  // A wider tile may stand in for a partial one (tlog-tiles); only the prefix the checkpoint covers must match.
  if (stored.length % 32 !== 0 || stored.length > FULL_TILE_BYTES || stored.length < expected.length) return false;
  return bytesEqual(stored.subarray(0, expected.length), expected);
}

/**
 * Verify the log. Throws LogError if the checkpoint itself does not verify
 * (nothing else can be trusted then); every other failure is collected in
 * `problems`, and `ok` is true only when there are none.
 */
export async function verifyLog(o: VerifyLogOptions): Promise<VerifyLogResult> {
  const h = o.crypto;
  const { checkpoint, note } = openCheckpoint(o.checkpoint, o.verifiers, o.origin, { logKeyName: o.logKeyName });
  const n = checkpoint.size;
  const checkTiles = o.checkTiles ?? true;
  const maxProblems = o.maxProblems ?? 100;
  const concurrency = Math.max(1, o.concurrency ?? 16);
  const problems: VerifyProblem[] = [];
  const problem = (p: VerifyProblem) => {
    if (problems.length < maxProblems) problems.push(p);
  };
  const counter = o.countLetters === false ? null : o.counter ?? new LetterCounter(maxProblems);
  const tree = TileTree.empty(h);
  let tilesChecked = 0;

  if (o.previous && o.previous.size > n) {
    problem({ code: 'PREVIOUS_MISMATCH', message: `log shrank from ${o.previous.size} to ${n} entries (rollback)` });
  }

  const bundles = Math.ceil(n / TILE_WIDTH);
  const fetch = async (k: number): Promise<Fetched> => {
    const w = tileWidthAt(0, k, n);
    const out: Fetched = {};
    await Promise.all([
      o.reader.readEntryBundle(k, w).then(
        (b) => void (out.bundle = b),
        (e: unknown) => void (out.bundleError = e),
      ),
      checkTiles
        ? o.reader.readTile(0, k, w).then(
            (t) => void (out.tile = t),
            (e: unknown) => void (out.tileError = e),
          )
        : Promise.resolve(),
    ]);
    return out;
  };
  const inflight = new Map<number, Promise<Fetched>>();
  for (let k = 0; k < Math.min(concurrency, bundles); k++) inflight.set(k, fetch(k));

  // Level-0 tiles come with their bundle; higher levels are read when rebuilt.
  let level0: Fetched | undefined;
  const compare = async (t: TileWrite): Promise<void> => {
    let stored: Uint8Array | undefined;
    if (t.level === 0) {
      if (level0?.tileError) {
        problem({ code: 'TILE_UNREADABLE', message: String(level0.tileError), path: t.path });
        return;
      }
      stored = level0?.tile;
    } else {
      try {
        stored = await o.reader.readTile(t.level, t.index, t.width);
      } catch (e) {
        problem({ code: 'TILE_UNREADABLE', message: String(e), path: t.path });
        return;
      }
    }
    tilesChecked++;
    if (!stored || !sameTile(stored, t.data)) {
      problem({ code: 'TILE_MISMATCH', message: `stored tile differs from the tree rebuilt from the entries`, path: t.path });
    }
  };

  let complete = true;
  let index = 0;
  for (let k = 0; k < bundles; k++) {
    const fetched = await inflight.get(k)!;
    inflight.delete(k);
    if (k + concurrency < bundles) inflight.set(k + concurrency, fetch(k + concurrency));
    level0 = fetched;
    const w = tileWidthAt(0, k, n);
    const path = entriesPath(k, w);
    let entries: Uint8Array[];
    try {
      if (fetched.bundleError !== undefined) {
        problem({ code: 'BUNDLE_UNREADABLE', message: String(fetched.bundleError), path });
        complete = false;
        break;
      }
      entries = parseEntryBundle(fetched.bundle!, w);
    } catch (e) {
      problem({ code: 'BAD_BUNDLE', message: (e as Error).message, path });
      complete = false;
      break;
    }
    const indexed: IndexedEntry[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const bytes = entries[i]!;
      const lh = leafHash(h, bytes);
      tree.appendLeafHash(lh);
      const e: IndexedEntry = { index, bytes, leafHash: lh, entry: undefined };
      if (counter) e.entry = counter.add(e);
      indexed[i] = e;
      o.onEntry?.(e);
      index++;
      if (o.previous && o.previous.size === index && !bytesEqual(tree.root(), o.previous.root)) {
        problem({ code: 'PREVIOUS_MISMATCH', message: `root at size ${index} differs from the one seen before (fork)` });
      }
    }
    if (o.onBundle) {
      const r = o.onBundle({ index: k, width: w, entries: indexed });
      if (r) await r;
    }
    // Drain even when not checking, so rebuilt tiles do not pile up in memory.
    const rebuilt = tree.drain(checkTiles && k === bundles - 1);
    if (checkTiles) for (const t of rebuilt) await compare(t);
    o.onProgress?.({ entries: index, total: n });
  }

  let root: Uint8Array | null = null;
  if (complete) {
    root = tree.root();
    if (!bytesEqual(root, checkpoint.root)) {
      problem({ code: 'ROOT_MISMATCH', message: `root rebuilt from ${n} entries does not match the checkpoint` });
    }
  }
  const counted = counter?.result();
  if (counted) for (const p of counted.problems) problem({ code: p.code, message: p.message, index: p.index });
  return {
    ok: complete && problems.length === 0,
    checkpoint,
    note,
    root,
    entries: index,
    tilesChecked,
    problems,
    warnings: counted?.warnings ?? [],
    letters: counted?.letters ?? [],
  };
}
