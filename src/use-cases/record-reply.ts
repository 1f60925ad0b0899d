/**
 * The addressee's reply, recorded by an owner (the desk, POST /api/v1/organise/letters/:slug/replies): its text in
 * one or more languages, the date it came and optionally its PDF. One transaction: the reply, a `reply` entry in the
 * transparency log (the SHA-256 of its canonical text and of its PDF), the audit entry and — unless `notify` is
 * false — an update to the consenting signers carrying the reply in their language, whose mails are queued after
 * it in batches (steps/updates.ts fanOutUpdate).
 */
import { DomainError } from '../core/errors.ts';
import { encodeEntry, toBase64, toHex } from '../core/log/index.ts';
import { utf8 } from '../core/log/bytes.ts';
import type { LetterReply, LetterUpdate, LetterWithText } from '../core/model.ts';
import { canonicalReply, validateReply } from '../core/updates/update.ts';
import { iso, type Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { recordAudit } from './steps/audit.ts';
import { logLetterId, unixSeconds } from './steps/log-entries.ts';
import { titleFor } from './steps/mail.ts';
import { fanOutUpdate, queueUpdate } from './steps/updates.ts';

export interface ReplyInput {
  texts?: unknown;
  receivedOn?: unknown;
  /** Send the reply to the consenting signers as an update (default: yes). */
  notify?: boolean | undefined;
  /** What makes a repeat the same reply (the form's nonce, an Idempotency-Key); else its text and PDF. */
  key?: string | undefined;
}

/** The update that carries a reply: per language the letter's title as subject and the reply as body. */
function replyUpdate(letter: LetterWithText, reply: LetterReply) {
  const subject: Record<string, string> = {};
  const body: Record<string, string> = {};
  for (const x of reply.texts) {
    subject[x.lang] = titleFor(letter, x.lang);
    body[x.lang] = x.body;
  }
  return { subject, body };
}

export async function recordReply(deps: Deps, slug: string, actor: string | undefined, input: ReplyInput, pdf?: Uint8Array): Promise<{ reply: LetterReply; update?: LetterUpdate | undefined; created: boolean }> {
  const read = await loadOwnLetter(deps.store, slug, actor, 'owner');
  if (read.state === 'draft') throw new DomainError('LETTER_NOT_OPEN', 'Publish the letter before recording a reply to it');
  const now = deps.clock.now();
  const valid = validateReply(input, iso(now).slice(0, 10), pdf);
  const hasPdf = pdf !== undefined && pdf.length > 0;
  const textHash = deps.log.crypto.sha256(canonicalReply(valid));
  // SHA-256 of the PDF, or of nothing when there is none: the entry's layout never changes.
  const pdfHash = deps.log.crypto.sha256(hasPdf ? pdf : new Uint8Array(0));
  // The reply's id is its key's hash: a double click or a retried request records one reply, logged and sent once.
  const named = typeof input.key === 'string' ? input.key.trim().slice(0, 200) : '';
  const key = named ? `key:${named}` : `content:${toBase64(textHash)}:${toBase64(pdfHash)}`;
  const id = 'reply-' + toHex(deps.log.crypto.sha256(utf8(`${read.id}\n${key}`))).slice(0, 32);
  const reply: LetterReply = {
    id, letterId: read.id, receivedOn: valid.receivedOn, texts: valid.texts, textSha256: toBase64(textHash),
    pdfSha256: hasPdf ? toBase64(pdfHash) : undefined, createdAt: iso(now), createdBy: actor,
  };
  const out = await deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor, 'owner');
    if (!(await tx.updates.insertReply(reply, hasPdf ? pdf : undefined))) {
      const kept = (await tx.updates.replies(letter.id)).find((r) => r.id === reply.id)!;
      return { reply: kept, update: await tx.updates.updateByKey(letter.id, `reply:${reply.id}`), created: false };
    }
    const time = unixSeconds(now);
    await tx.log.enqueue({ kind: 'reply', letter: logLetterId(letter), time, bytes: encodeEntry({ type: 'reply', letter: logLetterId(letter), time, text: textHash, pdf: pdfHash }) });
    await recordAudit(tx, deps, letter.id, actor, 'reply', { receivedOn: reply.receivedOn, languages: reply.texts.map((x) => x.lang).join(' '), pdf: hasPdf });
    if (input.notify === false) return { reply, created: true };
    const { update } = await queueUpdate(tx, deps, letter, { ...replyUpdate(letter, reply), kind: 'reply', key: `reply:${reply.id}`, replyId: reply.id, createdBy: actor });
    return { reply, update, created: true };
  });
  if (!out.created) return out;
  deps.signals.logQueued();
  if (out.update && !out.update.fanoutDone) await fanOutUpdate(deps, out.update.id);
  deps.signals.letterChanged(read.id);
  return out;
}
