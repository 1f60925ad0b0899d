/**
 * The signer's side of the log: the private receipt page (reached by a token only the signer got) and the
 * `.tlog-proof` receipt with its JSON sidecar. The receipt is built from the published tiles against the current
 * checkpoint, so the signer can check it without trusting us (the browser check, or any C2SP tool).
 */
import { DomainError } from '../../core/errors.ts';
import type { LetterWithText, Signature } from '../../core/model.ts';
import type { SignatureLog, SignerTokenPurpose } from '../../core/log-ports.ts';
import { buildReceipt, toBase64 } from '../../core/log/index.ts';
import type { Deps } from '../deps.ts';

export interface SignerView {
  letter: LetterWithText;
  signature: Signature;
  log: SignatureLog | undefined;
  purpose: SignerTokenPurpose;
  /** true once the signature's entry is covered by the published checkpoint. */
  sequenced: boolean;
}

/** The signer links that open the receipt and withdrawal pages; an update mail's unsubscribe link never does. */
const VIEWS: ReadonlySet<SignerTokenPurpose> = new Set<SignerTokenPurpose>(['receipt', 'withdraw', 'manage']);

/** The signature a receipt, withdrawal or manage token belongs to. Changes nothing. */
export async function signerView(deps: Deps, token: string): Promise<SignerView> {
  if (typeof token !== 'string' || token.length < 16 || token.length > 200) throw new DomainError('TOKEN_INVALID', 'This link is not valid');
  const t = await deps.store.log.signerToken(deps.secrets.hashToken(token));
  const signature = t && VIEWS.has(t.purpose) ? await deps.store.signatures.byId(t.signatureId) : undefined;
  const letter = signature && (await deps.store.letters.byId(signature.letterId));
  if (!t || !signature || !letter) throw new DomainError('TOKEN_INVALID', 'This link is not valid');
  const log = await deps.store.log.signatureLog(signature.id);
  const st = await deps.store.log.state();
  const sequenced = log?.logIndex !== undefined && !!st && log.logIndex < st.size;
  return { letter, signature, log, purpose: t.purpose, sequenced };
}

/**
 * The `.tlog-proof` receipt (c2sp.org/tlog-proof; `extra` carries the entry bytes) and its private sidecar: the
 * committed name and email with both openings, so that the holder can show that the entry is theirs.
 */
export async function signerReceipt(deps: Deps, token: string): Promise<{ view: SignerView; proof: string; sidecar: Record<string, unknown> }> {
  const view = await signerView(deps, token);
  const { log, signature } = view;
  if (!log || log.logIndex === undefined || !view.sequenced) throw new DomainError('RECEIPT_NOT_READY', 'This signature is being added to the log');
  const st = (await deps.store.log.state())!;
  const entry = await deps.store.log.entryAt(log.logIndex);
  const reader = {
    readTile: async (l: number, i: number, w: number) => (await deps.store.log.readTile(l, i, w)) ?? Promise.reject(new Error('missing tile')),
  };
  const proof = await buildReceipt(deps.log.crypto, reader, { index: log.logIndex, checkpoint: st.checkpoint, ...(entry ? { entry } : {}) });
  const sidecar = {
    format: 'undersigned-receipt-sidecar/v1',
    letter: view.letter.slug,
    logIndex: log.logIndex,
    displayName: log.erasedAt ? null : signature.name,
    nameOpening: log.nameOpening ? toBase64(log.nameOpening) : null,
    email: log.erasedAt ? null : signature.email,
    contactOpening: log.contactOpening ? toBase64(log.contactOpening) : null,
    commitments: 'name = HMAC-SHA256("undersigned/commit/v1", nameOpening || "name" || 0x00 || UTF-8(NFC(displayName))); contact likewise with "contact" and the email trimmed, NFC, lower-cased',
  };
  return { view, proof, sidecar };
}
