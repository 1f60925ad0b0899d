/**
 * A signer stops a letter's updates through the link in every update mail (GET shows the page with one button;
 * POST — the button, or a mail client's RFC 8058 one-click POST — unsubscribes). Kept: no later update goes to
 * them. A conditional update: of two at once (a double click, the mail client and the person) one changes the row.
 */
import { DomainError } from '../core/errors.ts';
import type { LetterWithText } from '../core/model.ts';
import { iso, type Deps } from './deps.ts';

export interface Unsubscription {
  letter: LetterWithText;
  /** False: the signer was unsubscribed already (by an earlier click, or never opted in). */
  subscribed: boolean;
}

async function signatureOf(deps: Deps, token: string | undefined) {
  if (!token || token.length > 200) throw new DomainError('TOKEN_INVALID', 'This unsubscribe link is not valid');
  const t = await deps.store.log.signerToken(deps.secrets.hashToken(token));
  if (t?.purpose !== 'unsubscribe') throw new DomainError('TOKEN_INVALID', 'This unsubscribe link is not valid');
  const sig = await deps.store.signatures.byId(t.signatureId);
  if (!sig) throw new DomainError('TOKEN_INVALID', 'This unsubscribe link is not valid');
  const letter = await deps.store.letters.byId(sig.letterId);
  if (!letter) throw new DomainError('TOKEN_INVALID', 'This unsubscribe link is not valid');
  return { sig, letter };
}

/** What the unsubscribe page shows (GET: nothing changes). */
export async function unsubscribeView(deps: Deps, token: string | undefined): Promise<Unsubscription> {
  const { sig, letter } = await signatureOf(deps, token);
  return { letter, subscribed: sig.consentUpdates };
}

/** Unsubscribes; answers the same for a repeat (subscribed: false then). */
export async function unsubscribe(deps: Deps, token: string | undefined): Promise<Unsubscription> {
  const { sig, letter } = await signatureOf(deps, token);
  const changed = await deps.store.updates.unsubscribe(sig.id, iso(deps.clock.now()));
  return { letter, subscribed: changed };
}
