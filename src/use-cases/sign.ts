import { DomainError } from '../core/errors.ts';
import { canSign, versionFor } from '../core/letters/letter.ts';
import type { MailMessage, OutboxJob, Signature, TemplatedMail } from '../core/model.ts';
import type { StoreTx } from '../core/ports.ts';
import { CONFIRM_TOKEN_TTL_MS, decideSign, validateSignatureInput, type SignatureInput, type ValidSignatureInput } from '../core/signatures/signature.ts';
import { iso, type Deps } from './deps.ts';
import { issueSignerToken, withdrawUrl } from './receipts.ts';
import { letterForSigning, snapshotForSigning } from './letter-snapshot.ts';

export function confirmUrl(deps: Deps, lang: string, token: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/confirm?token=${encodeURIComponent(token)}`;
}

export function letterUrl(deps: Deps, lang: string, slug: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/letters/${encodeURIComponent(slug)}`;
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
type MailLetter = { slug: string; versions: readonly { lang: string; title: string }[] };

const titleFor = (letter: MailLetter, lang: string): string => (versionFor(letter, lang) ?? letter.versions[0])?.title ?? letter.slug;

/** A fresh confirmation token for a pending signature: the signature to store, and the link's token. */
function withConfirmationToken(deps: Deps, sig: Signature): { sig: Signature; token: string } {
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
function confirmationJob(deps: Deps, letter: MailLetter, sig: Signature, token: string, withdrawToken: string, now = iso(deps.clock.now())): OutboxJob {
  const payload: TemplatedMail = {
    to: sig.email,
    lang: sig.lang,
    template: 'confirm',
    params: { letterTitle: titleFor(letter, sig.lang), name: sig.name, link: confirmUrl(deps, sig.lang, token), expiresAt: sig.tokenExpiresAt!, withdrawLink: withdrawUrl(deps, sig.lang, withdrawToken) },
  };
  return { id: `confirm:${sig.id}:${sig.mailsSent}`, kind: 'mail', payload, runAt: now, attempts: 0, createdAt: now };
}

/** Mails the confirmation link of a signature stored with that token (and issues its withdrawal token). */
async function mailConfirmation(tx: StoreTx, deps: Deps, letter: MailLetter, sig: Signature, token: string): Promise<void> {
  // A separate token for withdrawing: the confirmation link stops working once used, this one keeps working.
  const withdrawToken = await issueSignerToken(tx, deps, sig.id, 'withdraw');
  await tx.outbox.enqueue(confirmationJob(deps, letter, sig, token, withdrawToken));
}

/** Issues a fresh confirmation link for a pending signature and mails it; the caller stores what it returns. */
export async function issueConfirmation(tx: StoreTx, deps: Deps, letter: MailLetter, sig: Signature): Promise<Signature> {
  const { sig: updated, token } = withConfirmationToken(deps, sig);
  await mailConfirmation(tx, deps, letter, updated, token);
  return updated;
}

/**
 * A new pending signature for `v` on the letter as the caller knows it, with a fresh confirmation token (what
 * withConfirmationToken would add, built in one object at one reading of the clock: this runs at every signing).
 */
function newSignature(deps: Deps, letterId: string, textVersion: number, v: ValidSignatureInput): { sig: Signature; token: string } {
  const at = deps.clock.now();
  const now = iso(at);
  const token = deps.secrets.newToken();
  const sig: Signature = {
    id: deps.secrets.newId(),
    letterId,
    email: v.email,
    emailKey: v.emailKey,
    name: v.name,
    nameAlt: v.nameAlt,
    title: v.title,
    country: v.country,
    visibility: v.visibility,
    lang: v.lang,
    consentUpdates: v.consentUpdates,
    status: 'pending',
    textVersion,
    tokenHash: deps.secrets.hashToken(token),
    tokenExpiresAt: iso(new Date(at.getTime() + CONFIRM_TOKEN_TTL_MS)),
    mailsSent: 1,
    imported: false,
    createdAt: now,
    updatedAt: now,
  };
  return { sig, token };
}

/**
 * The common case — a new address on a letter whose row this process checked less than a second ago — as one store call
 * (`insertFirstSignature`: on PostgreSQL one statement instead of a transaction of six round trips). It writes only
 * if the letter's row is still as the snapshot says and the address has no signature; otherwise it writes nothing
 * and returns false, and `sign` goes the long way, which also reports a closed letter or invalid input in its order.
 */
async function signFirst(deps: Deps, slug: string, input: SignatureInput): Promise<boolean> {
  const got = snapshotForSigning(deps.store, slug);
  const letter = got instanceof Promise ? await got : got;
  if (!letter || letter.state !== 'open') return false;
  let v: ValidSignatureInput;
  try {
    v = validateSignatureInput(input, letter);
  } catch {
    return false;
  }
  const created = newSignature(deps, letter.id, letter.textVersion, v);
  const withdrawToken = deps.secrets.newToken();
  return deps.store.insertFirstSignature({
    letter: { id: letter.id, state: letter.state, textVersion: letter.textVersion, updatedAt: letter.updatedAt },
    signature: created.sig,
    signerToken: { tokenHash: deps.secrets.hashToken(withdrawToken), purpose: 'withdraw', createdAt: created.sig.createdAt },
    job: confirmationJob(deps, letter, created.sig, created.token, withdrawToken, created.sig.createdAt),
  });
}

/**
 * Signs a letter. The answer is the same whatever the address had done before, so that the screen never
 * tells a stranger whether an address signed (threat: enumerating who signed a sensitive letter).
 * The same address on the same letter is one signature: signing again resends, never adds a row.
 *
 * Cost: the letter comes from a snapshot checked by one small read (letter-snapshot.ts), and the new signature is
 * inserted first (the unique index on letter and address decides, under any concurrency); the existing row is read
 * only when that insert did nothing.
 */
export async function sign(deps: Deps, slug: string, input: SignatureInput): Promise<{ status: 'pending' }> {
  if (await signFirst(deps, slug, input)) return { status: 'pending' as const };
  return deps.store.transaction(async (tx) => {
    const found = await letterForSigning(deps.store, tx, slug);
    if (!found) throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
    const { letter, current } = found;
    canSign(current);
    const v = validateSignatureInput(input, letter);
    const now = deps.clock.now();
    const created = newSignature(deps, letter.id, current.textVersion, v);
    if (await tx.signatures.insert(created.sig)) {
      await mailConfirmation(tx, deps, letter, created.sig, created.token);
      return { status: 'pending' as const };
    }
    // The address has a signature on this letter (possibly inserted a moment ago by a concurrent request, which
    // committed before this insert returned): decide from it, as before. Nothing was written so far. The row is
    // replaced only as it was read; if a concurrent signing changed it meanwhile (PostgreSQL), read and decide again,
    // so that every mail counts on the row (the mail-bombing guard) and the mailed link is the stored one.
    for (let attempt = 0; attempt < 8; attempt++) {
      const existing = await tx.signatures.byEmail(letter.id, v.emailKey);
      if (!existing) break;
      const decision = decideSign(existing, now);
      if (decision.kind === 'resend') {
        // The latest details typed replace the pending ones: people fix typos by signing again.
        const refreshed: Signature = { ...existing, name: v.name, nameAlt: v.nameAlt, title: v.title, country: v.country, visibility: v.visibility, lang: v.lang, consentUpdates: v.consentUpdates, status: 'pending', textVersion: current.textVersion };
        const next = withConfirmationToken(deps, refreshed);
        if (!(await tx.signatures.updateIfUnchanged(next.sig, existing))) continue;
        await mailConfirmation(tx, deps, letter, next.sig, next.token);
      } else if (decision.kind === 'already-signed') {
        if (!(await tx.signatures.updateIfUnchanged({ ...existing, mailsSent: existing.mailsSent + 1, updatedAt: iso(now) }, existing))) continue;
        await enqueueMail(tx, deps, `already:${existing.id}:${existing.mailsSent + 1}`, existing.email,
          deps.templates.alreadySigned({ lang: v.lang, letterTitle: titleFor(letter, v.lang), name: existing.name, letterUrl: letterUrl(deps, v.lang, letter.slug) }));
      }
      break;
    }
    return { status: 'pending' as const };
  });
}
