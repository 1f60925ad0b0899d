/**
 * c2sp.org/tlog-checkpoint: the signed statement "the log `origin` has `size`
 * entries with root hash `root`". Everything a verifier trusts about the log
 * flows from one verified checkpoint, so parsing is strict.
 */
import { fromBase64, parseDecimal, toBase64 } from './bytes.ts';
import { fail } from './errors.ts';
import { isHash } from './merkle.ts';
import { openNote, signNote, type NoteSigner, type NoteVerifier, type OpenedNote } from './note.ts';

export interface Checkpoint {
  /** Log identity, e.g. `undersigned.example/log` (URL prefix without scheme). */
  origin: string;
  size: number;
  root: Uint8Array;
  /** Optional extension lines (NOT RECOMMENDED by the spec; kept verbatim). */
  extensions: string[];
}

/** The note text of a checkpoint: origin, size, base64 root, extension lines, each ending in "\n". */
export function formatCheckpoint(cp: Checkpoint): string {
  if (!cp.origin || /[\u0000-\u001f]/.test(cp.origin)) fail('BAD_CHECKPOINT', 'bad origin');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) fail('BAD_CHECKPOINT', 'bad size');
  if (!isHash(cp.root)) fail('BAD_CHECKPOINT', 'root must be 32 bytes');
  for (const e of cp.extensions) if (!e || /[\u0000-\u001f]/.test(e)) fail('BAD_CHECKPOINT', 'bad extension line');
  return [cp.origin, String(cp.size), toBase64(cp.root), ...cp.extensions].map((l) => l + '\n').join('');
}

/** Parse checkpoint note text (not the signatures). */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) fail('BAD_CHECKPOINT', 'checkpoint must end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) fail('BAD_CHECKPOINT', 'checkpoint needs origin, size and root');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (!origin) fail('BAD_CHECKPOINT', 'empty origin');
  const size = parseDecimal(sizeLine);
  if (size === null) fail('BAD_CHECKPOINT', `bad tree size ${JSON.stringify(sizeLine)}`);
  let root: Uint8Array;
  try {
    root = fromBase64(rootLine);
  } catch {
    fail('BAD_CHECKPOINT', 'root is not base64');
  }
  if (!isHash(root)) fail('BAD_CHECKPOINT', 'root must be 32 bytes');
  // An empty line here would have been taken as the note/signature separator;
  // any that survive are malformed extensions.
  for (const e of extensions) if (!e) fail('BAD_CHECKPOINT', 'empty extension line');
  return { origin, size, root, extensions };
}

/** Format and sign a checkpoint (the log's key name SHOULD equal the origin). */
export function signCheckpoint(cp: Checkpoint, signers: readonly NoteSigner[]): string {
  return signNote(formatCheckpoint(cp), signers);
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  note: OpenedNote;
}

/**
 * Verify a signed checkpoint and check its origin. Threat: a valid checkpoint
 * of another log (same key reused, or a look-alike) presented as ours — so the
 * origin is compared exactly, and when `logKeyName` is given at least one
 * verified signature must come from that key, not merely from a witness.
 */
export function openCheckpoint(
  msg: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
  origin: string,
  opts: { logKeyName?: string } = {},
): OpenedCheckpoint {
  const note = openNote(msg, verifiers);
  const checkpoint = parseCheckpoint(note.text);
  if (checkpoint.origin !== origin) fail('WRONG_ORIGIN', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not ${JSON.stringify(origin)}`);
  const logKey = opts.logKeyName ?? origin;
  if (!note.verified.some((s) => s.name === logKey && s.verifier.type === 0x01)) {
    fail('NO_TRUSTED_SIGNATURE', `checkpoint is not signed by the log key ${logKey}`);
  }
  return { checkpoint, note };
}

/** Convenience for the sequencer: sign a checkpoint from size and root. */
export function makeCheckpoint(origin: string, size: number, root: Uint8Array, signers: readonly NoteSigner[]): string {
  return signCheckpoint({ origin, size, root, extensions: [] }, signers);
}
