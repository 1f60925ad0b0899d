/**
 * Queuing an update to a letter's signers, inside the caller's transaction: the update row goes in only if the
 * letter has none with its key (a double click, a retried request: one update), and then one outbox mail per
 * recipient (confirmed, opted in, not unsubscribed, withdrawn, removed or erased), each in the signer's language
 * with their own unsubscribe link. A repeat queues nothing and answers with the update already sent.
 */
import { versionFor } from '../../core/letters/letter.ts';
import { toBase64 } from '../../core/log/index.ts';
import { utf8 } from '../../core/log/bytes.ts';
import type { LetterUpdate, LetterWithText, UpdateKind } from '../../core/model.ts';
import type { StoreTx } from '../../core/ports.ts';
import { updateLangFor, type ValidUpdate } from '../../core/updates/update.ts';
import { iso, type Deps } from '../deps.ts';
import { letterUrl, unsubscribeUrl } from './links.ts';
import { enqueueMail, titleFor, withManageLink } from './mail.ts';
import { issueSignerToken } from './tokens.ts';

export interface QueueUpdate extends ValidUpdate {
  kind: UpdateKind;
  key: string;
  replyId?: string | undefined;
  createdBy?: string | undefined;
}

export async function queueUpdate(tx: StoreTx, deps: Deps, letter: LetterWithText, u: QueueUpdate): Promise<{ update: LetterUpdate; created: boolean }> {
  const recipients = await tx.updates.recipients(letter.id);
  const update: LetterUpdate = {
    id: deps.secrets.newId(), letterId: letter.id, key: u.key, kind: u.kind, subject: u.subject, body: u.body, replyId: u.replyId,
    recipients: recipients.length, createdAt: iso(deps.clock.now()), createdBy: u.createdBy,
  };
  if (!(await tx.updates.insertUpdate(update))) {
    const sent = await tx.updates.updateByKey(letter.id, u.key);
    if (sent) return { update: sent, created: false };
    throw new Error('an update with this key was neither inserted nor found');
  }
  for (const r of recipients) {
    const lang = updateLangFor(update, r.lang, letter.defaultLang);
    // The letter's page in the signer's language when the letter has it.
    const pageLang = versionFor(letter, r.lang) ? r.lang : versionFor(letter, lang) ? lang : letter.defaultLang;
    const token = await issueSignerToken(tx, deps, r.signatureId, 'unsubscribe');
    // Every mail to a signer carries their private "manage my signature" link (issue 16).
    const mail = await withManageLink(tx, deps, { id: r.signatureId, lang: pageLang }, deps.templates.signerUpdate({
      lang, letterTitle: titleFor(letter, pageLang), subject: update.subject[lang]!, body: update.body[lang]!,
      letterUrl: letterUrl(deps, pageLang, letter.slug), unsubscribeUrl: unsubscribeUrl(deps, pageLang, token),
    }));
    await enqueueMail(tx, deps, `update:${update.id}:${r.signatureId}`, r.email, mail);
  }
  return { update, created: true };
}

/** The key of an update nobody named: its content, so that sending the same words twice is one update. */
export function contentKey(deps: Deps, fingerprint: string): string {
  return 'sha256:' + toBase64(deps.log.crypto.sha256(utf8(fingerprint)));
}
