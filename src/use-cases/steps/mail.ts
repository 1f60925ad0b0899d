/** Mail queued in the outbox, in the same transaction as the change that caused it (the outbox pattern). */
import { versionFor } from '../../core/letters/letter.ts';
import type { MailMessage, OutboxJob, Signature, TemplatedMail } from '../../core/model.ts';
import type { StoreTx } from '../../core/ports.ts';
import { CONFIRM_TOKEN_TTL_MS } from '../../core/signatures/signature.ts';
import { iso, type Deps } from '../deps.ts';
import { confirmUrl, manageUrl, withdrawUrl } from './links.ts';
import { issueSignerToken } from './tokens.ts';

/**
 * A fresh private "manage my signature" link for a signer: its own token (only the hash is stored), in the
 * signature's language. Every mail to a signer carries one (withManageLink).
 */
export async function issueManageLink(tx: StoreTx, deps: Deps, sig: Pick<Signature, 'id' | 'lang'>): Promise<string> {
  return manageUrl(deps, sig.lang, await issueSignerToken(tx, deps, sig.id, 'manage'));
}

/**
 * Any mail to a signer (updates, reminders…) with the paragraph of their "manage my signature" link added, in the
 * mail's language. Call it inside the transaction that queues the mail: the token lands with it or not at all.
 */
export async function withManageLink(tx: StoreTx, deps: Deps, sig: Pick<Signature, 'id' | 'lang'>, mail: Omit<MailMessage, 'to'>): Promise<Omit<MailMessage, 'to'>> {
  const link = await issueManageLink(tx, deps, sig);
  return { ...mail, text: mail.text + deps.templates.manageParagraph({ lang: mail.lang, link }) };
}

/** The outbox job of one mail, due now. */
function mailJob(deps: Deps, jobId: string, to: string, body: Omit<MailMessage, 'to'>): OutboxJob {
  const now = iso(deps.clock.now());
  return { id: jobId, kind: 'mail', payload: { ...body, to }, runAt: now, attempts: 0, createdAt: now };
}

/** Enqueues one mail in the same transaction as the change that caused it (the outbox pattern). */
export async function enqueueMail(tx: StoreTx, deps: Deps, jobId: string, to: string, body: Omit<MailMessage, 'to'>): Promise<void> {
  await tx.outbox.enqueue(mailJob(deps, jobId, to, body));
}

/** What a confirmation mail needs of its letter (a LetterWithText or a signing snapshot). */
export type MailLetter = { slug: string; versions: readonly { lang: string; title: string }[] };

export const titleFor = (letter: MailLetter, lang: string): string => (versionFor(letter, lang) ?? letter.versions[0])?.title ?? letter.slug;

/** A fresh confirmation token for a pending signature: the signature to store, and the link's token. */
export function withConfirmationToken(deps: Deps, sig: Signature): { sig: Signature; token: string } {
  const now = deps.clock.now();
  const token = deps.secrets.newToken();
  const expiresAt = iso(new Date(now.getTime() + CONFIRM_TOKEN_TTL_MS));
  return { sig: { ...sig, tokenHash: deps.secrets.hashToken(token), tokenExpiresAt: expiresAt, mailsSent: sig.mailsSent + 1, updatedAt: iso(now) }, token };
}

/**
 * The job that mails the confirmation link of a signature stored with `token`, and its withdrawal link. It keeps what
 * the mail says (the title and name as they are now, both links, the expiry), not its text: the worker renders it
 * when it sends it (deliver-outbox.ts), the same text as rendering it here, in 40 % of the row. The links are in
 * clear in the row until the mail is sent, as they were in the rendered text: the mail must carry them.
 */
export function confirmationJob(deps: Deps, letter: MailLetter, sig: Signature, token: string, withdrawToken: string, manageToken: string, now = iso(deps.clock.now())): OutboxJob {
  const payload: TemplatedMail = {
    to: sig.email,
    lang: sig.lang,
    template: 'confirm',
    params: {
      letterTitle: titleFor(letter, sig.lang), name: sig.name, link: confirmUrl(deps, sig.lang, token), expiresAt: sig.tokenExpiresAt!,
      withdrawLink: withdrawUrl(deps, sig.lang, withdrawToken), manageLink: manageUrl(deps, sig.lang, manageToken),
    },
  };
  // Unique per link: the mail count starts again after a confirmation, so after a withdrawal and a new signing the
  // count alone would name the first mail's job again, and the new mail would be skipped as already queued.
  return { id: `confirm:${sig.id}:${sig.mailsSent}:${(sig.tokenHash ?? '').slice(0, 16)}`, kind: 'mail', payload, runAt: now, attempts: 0, createdAt: now };
}

/** Mails the confirmation link of a signature stored with that token (and issues its withdrawal and manage tokens). */
export async function mailConfirmation(tx: StoreTx, deps: Deps, letter: MailLetter, sig: Signature, token: string): Promise<void> {
  // A separate token for withdrawing: the confirmation link stops working once used, this one keeps working.
  const withdrawToken = await issueSignerToken(tx, deps, sig.id, 'withdraw');
  const manageToken = await issueSignerToken(tx, deps, sig.id, 'manage');
  await tx.outbox.enqueue(confirmationJob(deps, letter, sig, token, withdrawToken, manageToken));
}

/** Issues a fresh confirmation link for a pending signature and mails it; the caller stores what it returns. */
export async function issueConfirmation(tx: StoreTx, deps: Deps, letter: MailLetter, sig: Signature): Promise<Signature> {
  const { sig: updated, token } = withConfirmationToken(deps, sig);
  await mailConfirmation(tx, deps, letter, updated, token);
  return updated;
}
