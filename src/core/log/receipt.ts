/**
 * c2sp.org/tlog-proof@v1 — the signer's receipt: an offline-verifiable proof
 * that an entry is at `index` in the tree of a signed checkpoint.
 *
 *   c2sp.org/tlog-proof@v1
 *   [extra <base64>]        unauthenticated application data (we carry the entry bytes)
 *   index <n>
 *   <base64 hash>*          inclusion proof, leaf side first
 *   <empty line>
 *   <signed checkpoint, verbatim>
 */
import type { LogHasher } from './crypto.ts';
import { fromBase64, parseDecimal, toBase64 } from './bytes.ts';
import { fail } from './errors.ts';
import { type Checkpoint, openCheckpoint, parseCheckpoint } from './checkpoint.ts';
import { isHash, leafHash, verifyInclusion } from './merkle.ts';
import { parseNote, type NoteVerifier, type OpenedNote } from './note.ts';
import { inclusionProofFromTiles, type TileReader } from './tiles.ts';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
/** Recommended file extension. */
export const TLOG_PROOF_EXTENSION = '.tlog-proof';

export interface TlogProof {
  extra?: Uint8Array;
  index: number;
  proof: Uint8Array[];
  /** The signed checkpoint note, verbatim (log signature and any cosignatures). */
  checkpoint: string;
}

export function formatTlogProof(p: TlogProof): string {
  if (!Number.isSafeInteger(p.index) || p.index < 0) fail('BAD_RECEIPT', 'bad index');
  for (const x of p.proof) if (!isHash(x)) fail('BAD_RECEIPT', 'proof hashes must be 32 bytes');
  if (!p.checkpoint.endsWith('\n')) fail('BAD_RECEIPT', 'checkpoint must end in a newline');
  let s = TLOG_PROOF_HEADER + '\n';
  if (p.extra !== undefined) s += `extra ${toBase64(p.extra)}\n`;
  s += `index ${p.index}\n`;
  for (const x of p.proof) s += toBase64(x) + '\n';
  return s + '\n' + p.checkpoint;
}

export function parseTlogProof(text: string): TlogProof {
  const sep = text.indexOf('\n\n');
  if (sep < 0) fail('BAD_RECEIPT', 'receipt has no checkpoint');
  const head = text.slice(0, sep).split('\n');
  const checkpoint = text.slice(sep + 2);
  if (!checkpoint) fail('BAD_RECEIPT', 'receipt has no checkpoint');
  let i = 0;
  if (head[i++] !== TLOG_PROOF_HEADER) fail('BAD_RECEIPT', `first line must be ${TLOG_PROOF_HEADER}`);
  let extra: Uint8Array | undefined;
  const b64 = (s: string): Uint8Array => {
    try {
      return fromBase64(s);
    } catch {
      fail('BAD_RECEIPT', 'bad base64 in receipt');
    }
  };
  if (head[i]?.startsWith('extra ')) extra = b64(head[i++]!.slice(6));
  const idxLine = head[i++];
  if (!idxLine?.startsWith('index ')) fail('BAD_RECEIPT', 'missing index line');
  const index = parseDecimal(idxLine.slice(6));
  if (index === null) fail('BAD_RECEIPT', 'bad index');
  const proof: Uint8Array[] = [];
  for (; i < head.length; i++) {
    const h = b64(head[i]!);
    if (!isHash(h)) fail('BAD_RECEIPT', 'proof hashes must be 32 bytes');
    proof.push(h);
  }
  if (proof.length > 63) fail('BAD_RECEIPT', 'proof too long');
  return extra === undefined ? { index, proof, checkpoint } : { extra, index, proof, checkpoint };
}

export interface VerifiedReceipt {
  index: number;
  checkpoint: Checkpoint;
  note: OpenedNote;
  extra?: Uint8Array;
}

/**
 * Verify a receipt: the checkpoint's signature (and origin) with the given
 * keys, then the inclusion of the leaf. The leaf comes from `entry` (hashed
 * here) or `leafHash`; when neither is given, the `extra` bytes are taken as
 * the entry — but extra is unauthenticated, so the caller must then still
 * check that the entry says what it expects (letter, commitments).
 */
export function verifyTlogProof(
  h: LogHasher,
  text: string,
  opts: { verifiers: readonly NoteVerifier[]; origin: string; logKeyName?: string; entry?: Uint8Array; leafHash?: Uint8Array },
): VerifiedReceipt {
  const p = parseTlogProof(text);
  const opened = openCheckpoint(p.checkpoint, opts.verifiers, opts.origin, { logKeyName: opts.logKeyName });
  const cp = opened.checkpoint;
  let leaf: Uint8Array;
  if (opts.leafHash) leaf = opts.leafHash;
  else if (opts.entry) leaf = leafHash(h, opts.entry);
  else if (p.extra) leaf = leafHash(h, p.extra);
  else fail('BAD_RECEIPT', 'no entry to check: pass entry or leafHash');
  if (!verifyInclusion(h, p.index, cp.size, leaf, p.proof, cp.root)) fail('BAD_PROOF', `entry is not at index ${p.index} of the checkpointed tree`);
  const out: VerifiedReceipt = { index: p.index, checkpoint: cp, note: opened.note };
  if (p.extra) out.extra = p.extra;
  return out;
}

/**
 * Server side: build the receipt for entry `index` against the log's own
 * current signed checkpoint, reading the proof from tiles (O(log n) reads).
 * `entry` goes into `extra` so the signer holds the exact bytes that were
 * logged. The checkpoint is the log's own, so it is parsed, not verified.
 */
export async function buildReceipt(
  h: LogHasher,
  reader: TileReader,
  args: { index: number; checkpoint: string; entry?: Uint8Array },
): Promise<string> {
  const cp = parseCheckpoint(parseNote(args.checkpoint).text);
  if (args.index >= cp.size) fail('BAD_RECEIPT', `entry ${args.index} is not yet covered by checkpoint size ${cp.size}`);
  const proof = await inclusionProofFromTiles(h, reader, args.index, cp.size);
  const p: TlogProof = { index: args.index, proof, checkpoint: args.checkpoint };
  if (args.entry) p.extra = args.entry;
  return formatTlogProof(p);
}
