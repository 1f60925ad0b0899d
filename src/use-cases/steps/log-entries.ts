/**
 * Writing transparency-log entries, always inside the transaction of the change they record (the outbox pattern
 * applied to the log): a confirmed signature without its entry, or a withdrawal without its entry, cannot happen.
 * The entries are queued here and given log indexes by the sequencer (sequence-log.ts).
 *
 * What is committed: the signature's `name` exactly as typed (NFC), the one name every signature has; a second
 * name in another script (`nameAlt`) is shown but not committed (docs/transparency-log.md §7.1). The contact is
 * the email, normalised by the core's pinned rule. Neither appears in an entry: only salted HMAC commitments, whose
 * 32-byte random openings stay in the private table signature_log.
 */
import { canonicalText } from '../../core/letters/canonical.ts';
import { versionFor } from '../../core/letters/letter.ts';
import type { LetterWithText, Signature } from '../../core/model.ts';
import type { StoreTx } from '../../core/ports.ts';
import { commitContact, commitName, encodeEntry, letterTextHash, toBase64, type EntrySource, type RemovalReason } from '../../core/log/index.ts';
import type { Deps } from '../deps.ts';

export const unixSeconds = (d: Date | string): number => Math.floor((typeof d === 'string' ? Date.parse(d) : d.getTime()) / 1000);

/** The log's id of a letter: its slug (fixed once published, readable in every entry). */
export const logLetterId = (letter: { slug: string }): string => letter.slug;

/** Queues a `letter` entry for every version of a published letter whose text the log has not seen yet. */
export async function logPublishedTexts(tx: StoreTx, deps: Deps, letter: LetterWithText): Promise<void> {
  if (letter.state === 'draft') return;
  const logged = await tx.log.textHashes(logLetterId(letter));
  const time = unixSeconds(deps.clock.now());
  for (const v of letter.versions) {
    const text = letterTextHash(deps.log.crypto, canonicalText(v));
    const b64 = toBase64(text);
    if (logged.has(b64)) continue;
    logged.add(b64);
    await tx.log.enqueue({ kind: 'letter', letter: logLetterId(letter), time, bytes: encodeEntry({ type: 'letter', letter: logLetterId(letter), time, text }), textHash: b64 });
  }
}

/**
 * Queues the `sig` entry of a signature that has just been confirmed, with fresh openings. A signature not confirmed
 * by email names its source in the entry: `paper`, or `imported` (an imported letter's signatories when no source
 * is given).
 */
export async function logSignature(tx: StoreTx, deps: Deps, letter: LetterWithText, sig: Signature, source?: EntrySource): Promise<void> {
  const c = deps.log.crypto;
  const v = versionFor(letter, sig.lang) ?? versionFor(letter, letter.defaultLang) ?? letter.versions[0]!;
  const text = letterTextHash(c, canonicalText(v));
  const nameOpening = deps.log.opening();
  const contactOpening = deps.log.opening();
  const time = unixSeconds(sig.confirmedAt ?? deps.clock.now());
  const src = source ?? (sig.imported ? 'imported' : undefined);
  const bytes = encodeEntry({ type: 'sig', letter: logLetterId(letter), text, time, name: commitName(c, nameOpening, sig.name), contact: commitContact(c, contactOpening, sig.email), ...(src ? { source: src } : {}) });
  const entryId = await tx.log.enqueue({ kind: 'sig', letter: logLetterId(letter), time, bytes, signatureId: sig.id, textHash: toBase64(text) });
  await tx.log.putSignatureLog({ signatureId: sig.id, letterId: letter.id, entryId, nameOpening, contactOpening });
}

/**
 * Queues the `withdraw` (the signer's own act) or `remove` (an organiser's, with its public reason) entry that
 * cancels a signature's current `sig` entry. Returns false when the signature was never logged.
 */
export async function logCancel(tx: StoreTx, deps: Deps, letter: { slug: string }, signatureId: string, kind: 'withdraw' | 'remove', reason: RemovalReason): Promise<boolean> {
  const r = await tx.log.signatureLog(signatureId);
  if (!r) return false;
  await tx.log.enqueue({ kind, letter: logLetterId(letter), time: unixSeconds(deps.clock.now()), refEntryId: r.entryId, reason: kind === 'withdraw' ? 'signer' : reason, signatureId });
  return true;
}

/**
 * On publishing (or reopening) a letter: its texts, then a `sig` entry for every confirmed signature not logged
 * yet — the signatories of an imported letter, which became confirmed while it was a draft.
 */
export async function logPublish(tx: StoreTx, deps: Deps, letter: LetterWithText): Promise<void> {
  if (letter.state === 'draft') return;
  await logPublishedTexts(tx, deps, letter);
  const sources = await tx.desk.signatureSources(letter.id);
  for (;;) {
    const batch = await tx.log.unlogged(letter.id, 1000);
    for (const sig of batch) await logSignature(tx, deps, letter, sig, sources.get(sig.id)?.source);
    if (batch.length < 1000) break;
  }
}
