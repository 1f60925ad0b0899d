import { DomainError } from '../core/errors.ts';
import { canSign, versionFor } from '../core/letters/letter.ts';
import type { LetterWithText, MailMessage, Signature } from '../core/model.ts';
import type { StoreTx } from '../core/ports.ts';
import { CONFIRM_TOKEN_TTL_MS, decideSign, validateSignatureInput, type SignatureInput } from '../core/signatures/signature.ts';
import { iso, type Deps } from './deps.ts';
import { issueSignerToken, withdrawUrl } from './receipts.ts';

export function confirmUrl(deps: Deps, lang: string, token: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/confirm?token=${encodeURIComponent(token)}`;
}

export function letterUrl(deps: Deps, lang: string, slug: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/letters/${encodeURIComponent(slug)}`;
}

/** Enqueues one mail in the same transaction as the change that caused it (the outbox pattern). */
export async function enqueueMail(tx: StoreTx, deps: Deps, jobId: string, to: string, body: Omit<MailMessage, 'to'>): Promise<void> {
  const now = iso(deps.clock.now());
  await tx.outbox.enqueue({ id: jobId, kind: 'mail', payload: { ...body, to }, runAt: now, attempts: 0, createdAt: now });
}

/** Issues a fresh confirmation link for a pending signature and mails it. */
export async function issueConfirmation(tx: StoreTx, deps: Deps, letter: LetterWithText, sig: Signature): Promise<Signature> {
  const now = deps.clock.now();
  const token = deps.secrets.newToken();
  const expiresAt = iso(new Date(now.getTime() + CONFIRM_TOKEN_TTL_MS));
  const updated: Signature = { ...sig, tokenHash: deps.secrets.hashToken(token), tokenExpiresAt: expiresAt, mailsSent: sig.mailsSent + 1, updatedAt: iso(now) };
  const title = (versionFor(letter, sig.lang) ?? letter.versions[0])?.title ?? letter.slug;
  // A separate token for withdrawing: the confirmation link stops working once used, this one keeps working.
  const withdrawToken = await issueSignerToken(tx, deps, sig.id, 'withdraw');
  await enqueueMail(tx, deps, `confirm:${sig.id}:${updated.mailsSent}`, sig.email,
    deps.templates.confirmSignature({ lang: sig.lang, letterTitle: title, name: sig.name, link: confirmUrl(deps, sig.lang, token), expiresAt, withdrawLink: withdrawUrl(deps, sig.lang, withdrawToken) }));
  return updated;
}

/**
 * Signs a letter. The answer is the same whatever the address had done before, so that the screen never
 * tells a stranger whether an address signed (threat: enumerating who signed a sensitive letter).
 * The same address on the same letter is one signature: signing again resends, never adds a row.
 */
class ConcurrentSign extends Error {}

export async function sign(deps: Deps, slug: string, input: SignatureInput): Promise<{ status: 'pending' }> {
  try {
    return await signOnce(deps, slug, input);
  } catch (e) {
    if (e instanceof ConcurrentSign) return { status: 'pending' };
    throw e;
  }
}

async function signOnce(deps: Deps, slug: string, input: SignatureInput): Promise<{ status: 'pending' }> {
  return deps.store.transaction(async (tx) => {
    const letter = await tx.letters.bySlug(slug);
    if (!letter) throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
    canSign(letter);
    const v = validateSignatureInput(input, letter);
    const now = deps.clock.now();
    const existing = await tx.signatures.byEmail(letter.id, v.emailKey);
    const decision = decideSign(existing, now);
    if (decision.kind === 'create') {
      const sig: Signature = {
        id: deps.secrets.newId(),
        letterId: letter.id,
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
        textVersion: letter.textVersion,
        mailsSent: 0,
        imported: false,
        createdAt: iso(now),
        updatedAt: iso(now),
      };
      const withToken = await issueConfirmation(tx, deps, letter, sig);
      // false: a concurrent request inserted the same address first and its mail is on its way. The
      // outbox row written above is then part of a transaction that inserted nothing new; drop it.
      if (!(await tx.signatures.insert(withToken))) throw new ConcurrentSign();
    } else if (decision.kind === 'resend' && existing) {
      // The latest details typed replace the pending ones: people fix typos by signing again.
      const refreshed: Signature = { ...existing, name: v.name, nameAlt: v.nameAlt, title: v.title, country: v.country, visibility: v.visibility, lang: v.lang, consentUpdates: v.consentUpdates, status: 'pending', textVersion: letter.textVersion };
      await tx.signatures.update(await issueConfirmation(tx, deps, letter, refreshed));
    } else if (decision.kind === 'already-signed' && existing) {
      const title = (versionFor(letter, v.lang) ?? letter.versions[0])?.title ?? letter.slug;
      await enqueueMail(tx, deps, `already:${existing.id}:${existing.mailsSent + 1}`, existing.email,
        deps.templates.alreadySigned({ lang: v.lang, letterTitle: title, name: existing.name, letterUrl: letterUrl(deps, v.lang, letter.slug) }));
      await tx.signatures.update({ ...existing, mailsSent: existing.mailsSent + 1, updatedAt: iso(now) });
    }
    return { status: 'pending' as const };
  });
}
