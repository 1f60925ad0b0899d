/** Signing a letter: the one operation the public runs at scale. */
import { DomainError } from '../core/errors.ts';
import { canSign } from '../core/letters/letter.ts';
import type { Signature } from '../core/model.ts';
import { CONFIRM_TOKEN_TTL_MS, decideSign, validateSignatureInput, type SignatureInput, type ValidSignatureInput } from '../core/signatures/signature.ts';
import { iso, type Deps } from './deps.ts';
import { letterUrl, receiptUrl } from './steps/links.ts';
import { issueSignerToken } from './steps/tokens.ts';
import { confirmationJob, enqueueMail, issueManageLink, mailConfirmation, titleFor, withConfirmationToken } from './steps/mail.ts';
import { letterForSigning, snapshotForSigning } from './steps/letter-snapshot.ts';
import { formatHold, type Screening } from '../core/signatures/hold.ts';

/**
 * A new pending signature for `v` on the letter as the caller knows it, with a fresh confirmation token (what
 * withConfirmationToken would add, built in one object at one reading of the clock: this runs at every signing).
 */
function newSignature(deps: Deps, letterId: string, textVersion: number, v: ValidSignatureInput, screening: Screening | undefined): { sig: Signature; token: string } {
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
    hold: screening ? formatHold(screening.hold) : undefined,
    source: screening?.source,
  };
  return { sig, token };
}

/**
 * The common case — a new address on a letter whose row this process checked less than a second ago — as one store call
 * (`insertFirstSignature`: on PostgreSQL one statement, where a transaction would take six round trips). It writes only
 * if the letter's row is still as the snapshot says and the address has no signature; otherwise it writes nothing
 * and returns false, and `sign` goes the long way, which also reports a closed letter or invalid input in its order.
 */
async function signFirst(deps: Deps, slug: string, input: SignatureInput, screening: Screening | undefined): Promise<boolean> {
  const got = snapshotForSigning(deps.store, slug);
  const letter = got instanceof Promise ? await got : got;
  if (letter?.state !== 'open') return false;
  let v: ValidSignatureInput;
  try {
    v = validateSignatureInput(input, letter);
  } catch {
    return false;
  }
  const created = newSignature(deps, letter.id, letter.textVersion, v, screening);
  const withdrawToken = deps.secrets.newToken();
  const manageToken = deps.secrets.newToken();
  return deps.store.insertFirstSignature({
    letter: { id: letter.id, state: letter.state, textVersion: letter.textVersion, updatedAt: letter.updatedAt },
    signature: created.sig,
    signerToken: { tokenHash: deps.secrets.hashToken(withdrawToken), purpose: 'withdraw', createdAt: created.sig.createdAt },
    manageToken: { tokenHash: deps.secrets.hashToken(manageToken), createdAt: created.sig.createdAt },
    job: confirmationJob(deps, letter, created.sig, created.token, withdrawToken, manageToken, created.sig.createdAt),
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
 *
 * `screening`: what the HTTP adapter found about the request (core/signatures/hold.ts). A held signing is stored,
 * mailed and confirmable as any other; confirmed, it waits for an organiser (status 'held'). Signing again while
 * pending takes the latest screening (a person who first signed with JavaScript off and then with it on is not held).
 */
export async function sign(deps: Deps, slug: string, input: SignatureInput, screening?: Screening): Promise<{ status: 'pending'; held: boolean }> {
  const held = !!screening?.hold.length;
  if (await signFirst(deps, slug, input, screening)) {
    deps.signals.mailQueued();
    return { status: 'pending' as const, held };
  }
  let mailed = false;
  const result = await deps.store.transaction(async (tx) => {
    const found = await letterForSigning(deps.store, tx, slug);
    if (!found) throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
    const { letter, current } = found;
    canSign(current);
    const v = validateSignatureInput(input, letter);
    const now = deps.clock.now();
    const created = newSignature(deps, letter.id, current.textVersion, v, screening);
    if (await tx.signatures.insert(created.sig)) {
      await mailConfirmation(tx, deps, letter, created.sig, created.token);
      mailed = true;
      return { status: 'pending' as const, held };
    }
    // The address has a signature on this letter (possibly inserted a moment ago by a concurrent request, which
    // committed before this insert returned): decide from it. Nothing was written so far. The row is
    // replaced only as it was read; if a concurrent signing changed it meanwhile (PostgreSQL), read and decide again,
    // so that every mail counts on the row (the mail-bombing guard) and the mailed link is the stored one.
    for (let attempt = 0; attempt < 8; attempt++) {
      const existing = await tx.signatures.byEmail(letter.id, v.emailKey);
      if (!existing) break;
      const decision = decideSign(existing, now);
      if (decision.kind === 'resend') {
        // The latest details typed replace the pending ones: people fix typos by signing again.
        const refreshed: Signature = { ...existing, name: v.name, nameAlt: v.nameAlt, title: v.title, country: v.country, visibility: v.visibility, lang: v.lang, consentUpdates: v.consentUpdates, status: 'pending', textVersion: current.textVersion, ...(screening ? { hold: formatHold(screening.hold), source: screening.source } : {}) };
        const next = withConfirmationToken(deps, refreshed);
        if (!(await tx.signatures.updateIfUnchanged(next.sig, existing))) continue;
        await mailConfirmation(tx, deps, letter, next.sig, next.token);
        mailed = true;
      } else if (decision.kind === 'already-signed') {
        if (!(await tx.signatures.updateIfUnchanged({ ...existing, mailsSent: existing.mailsSent + 1, updatedAt: iso(now) }, existing))) continue;
        // A new link to the receipt page (and its withdrawal button): the signer may have lost the first mail.
        const receiptLink = receiptUrl(deps, v.lang, await issueSignerToken(tx, deps, existing.id, 'receipt'));
        const manageLink = await issueManageLink(tx, deps, { id: existing.id, lang: v.lang });
        await enqueueMail(tx, deps, `already:${existing.id}:${existing.mailsSent + 1}:${iso(now)}`, existing.email,
          deps.templates.alreadySigned({ lang: v.lang, letterTitle: titleFor(letter, v.lang), name: existing.name, letterUrl: letterUrl(deps, v.lang, letter.slug), receiptLink, manageLink }));
        mailed = true;
      }
      break;
    }
    return { status: 'pending' as const, held };
  });
  if (mailed) deps.signals.mailQueued();
  return result;
}
