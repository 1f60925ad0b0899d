/**
 * Erasure of a signer's personal data (GDPR Art. 17), on request and after the retention period an organiser set.
 * Deleted: the email, the names, title and country, both commitment openings, the signer's links and any mail still
 * held for the address. Kept: the log entry (a leaf cannot be removed from an append-only log) — but without its
 * openings the commitments in it are unlinkable to the person (docs/transparency-log.md §2.1, §7.6).
 */
import { DomainError } from '../core/errors.ts';
import { mailboxKeyOf } from '../core/signatures/mailbox.ts';
import type { Signature } from '../core/model.ts';
import type { StoreTx } from '../core/ports.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { logCancel } from './steps/log-entries.ts';
import { signerByToken } from './steps/tokens.ts';

export const ERASED_KEY_PREFIX = 'erased:';
export const isErased = (s: Pick<Signature, 'emailKey'>) => s.emailKey.startsWith(ERASED_KEY_PREFIX);

async function erasePersonal(tx: StoreTx, sig: Signature, now: string): Promise<Signature> {
  // A signature held for a check was never counted or logged: erased, it is withdrawn too, so that no release can
  // ever count (and log) a signature without a name or an address.
  const stillHeld = sig.status === 'held';
  const erased: Signature = {
    ...sig,
    ...(stillHeld ? { status: 'withdrawn' as const, withdrawnAt: now } : {}),
    email: '',
    emailKey: ERASED_KEY_PREFIX + sig.id,
    name: '',
    nameAlt: undefined,
    title: undefined,
    country: undefined,
    consentUpdates: false,
    tokenHash: undefined,
    tokenExpiresAt: undefined,
    updatedAt: now,
  };
  // Conditional: a signature confirmed or withdrawn meanwhile is read again, never written over with its old status.
  if (!(await tx.signatures.updateIfUnchanged(erased, sig))) throw new Raced();
  await tx.log.eraseSignatureLog(sig.id, now);
  await tx.log.forgetSigner(sig.id, sig.email);
  await tx.reviews.putKeys(sig.letterId, sig.id, []);
  return erased;
}

/**
 * On request (`undersigned erase`): a confirmed signature is first removed with the public reason "signer" (the
 * person asked us), then its personal data is erased. Returns what was done.
 */
export async function eraseOnRequest(deps: Deps, slug: string, email: string): Promise<{ removed: boolean; signatureId: string }> {
  const now = iso(deps.clock.now());
  const result = await retryRaced(() => deps.store.transaction(async (tx) => {
    const letter = await tx.letters.bySlug(slug);
    if (!letter) throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
    const sig = await tx.signatures.byEmail(letter.id, mailboxKeyOf(email));
    if (!sig) throw new DomainError('SIGNATURE_NOT_FOUND', 'No signature with this address on this letter');
    let current = sig;
    let removed = false;
    if (sig.status === 'confirmed') {
      current = { ...sig, status: 'withdrawn', withdrawnAt: now, updatedAt: now };
      // Conditional: the loser of two erasures (or an erasure and a withdrawal) at once runs again, with no second entry.
      if (!(await tx.signatures.updateIfUnchanged(current, sig))) throw new Raced();
      removed = await logCancel(tx, deps, letter, sig.id, 'remove', 'signer');
    } else if (sig.status === 'held') {
      // Held for a check: never counted or logged, so withdrawn without a log entry.
      current = { ...sig, status: 'withdrawn', withdrawnAt: now, updatedAt: now };
      if (!(await tx.signatures.updateIfUnchanged(current, sig))) throw new Raced();
    }
    await erasePersonal(tx, current, now);
    return { removed, signatureId: sig.id, letterId: letter.id };
  }));
  deps.signals.letterChanged(result.letterId);
  if (result.removed) deps.signals.logQueued();
  return { removed: result.removed, signatureId: result.signatureId };
}

/**
 * The signer's own erasure, from their "manage my signature" page (manage token only): a confirmed signature is first
 * withdrawn — a `withdraw` entry, the signer's own act, as on the withdrawal page — then its personal data is erased
 * as on request. The manage link stops working with it (erasure deletes the signer's tokens).
 */
export async function eraseBySigner(deps: Deps, token: unknown): Promise<{ withdrawn: boolean; letterSlug: string; lang: string }> {
  const now = iso(deps.clock.now());
  const result = await retryRaced(() => deps.store.transaction(async (tx) => {
    const { letter, signature: sig } = await signerByToken(tx, deps, token, 'manage');
    let current = sig;
    let withdrawn = false;
    if (sig.status === 'confirmed' || sig.status === 'pending' || sig.status === 'held') {
      current = { ...sig, status: 'withdrawn', withdrawnAt: now, updatedAt: now };
      // Conditional: the loser of two erasures (or an erasure and a withdrawal) at once runs again, with no second entry.
      if (!(await tx.signatures.updateIfUnchanged(current, sig))) throw new Raced();
      // A pending or held signature was never logged: nothing to cancel there.
      if (sig.status === 'confirmed') withdrawn = await logCancel(tx, deps, letter, sig.id, 'withdraw', 'signer');
    }
    await erasePersonal(tx, current, now);
    return { withdrawn, letterSlug: letter.slug, letterId: letter.id, lang: sig.lang };
  }));
  deps.signals.letterChanged(result.letterId);
  if (result.withdrawn) deps.signals.logQueued();
  return { withdrawn: result.withdrawn, letterSlug: result.letterSlug, lang: result.lang };
}

/**
 * Retention: for each letter with a period, erases the personal data of signatures withdrawn or removed longer ago
 * than the period, and — once the letter has been closed that long — of every signature (which keep counting and
 * show as "erased" on the list). Returns how many were erased.
 */
export async function eraseExpired(deps: Deps, limit = 500): Promise<number> {
  const now = deps.clock.now();
  let n = 0;
  for (const { letterId, days } of await deps.store.log.retentions()) {
    const cutoff = iso(new Date(now.getTime() - days * 86_400_000));
    const letter = await deps.store.letters.byId(letterId);
    if (!letter) continue;
    const closedLongAgo = letter.state === 'closed' && !!letter.closedAt && letter.closedAt < cutoff;
    const ids = await deps.store.log.erasable(letterId, cutoff, closedLongAgo, limit);
    for (const id of ids) {
      await retryRaced(() => deps.store.transaction(async (tx) => {
        const sig = await tx.signatures.byId(id);
        if (sig && !isErased(sig)) await erasePersonal(tx, sig, iso(now));
      }));
      n++;
    }
    if (ids.length) deps.signals.letterChanged(letterId);
  }
  return n;
}

/** Organisers set how long personal data of withdrawn signatures (and of a closed letter) is kept. */
export async function setRetention(deps: Deps, slug: string, days: number | undefined, actor: string | undefined): Promise<void> {
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 36500)) {
    throw new DomainError('VALIDATION_FAILED', 'Retention is a whole number of days from 1 to 36500', [{ field: 'retentionDays', code: 'INVALID_NUMBER' }]);
  }
  await deps.store.transaction(async (tx) => {
    const letter = await tx.letters.bySlug(slug);
    if (!letter) throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
    if (actor !== undefined && !letter.organisers.includes(actor)) throw new DomainError('NOT_AUTHORISED', 'You do not organise this letter');
    await tx.log.setRetention(letter.id, days);
  });
}
