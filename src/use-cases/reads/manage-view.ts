/**
 * The signer's "manage my signature" page, read side: everything we keep about one signature, reached only by the
 * private manage token mailed to the signer (its hash is stored; docs/security.md, signers' data). Changes nothing.
 */
import type { SignerLogEntry } from '../../core/log-ports.ts';
import type { LetterWithText, Signature } from '../../core/model.ts';
import { toBase64 } from '../../core/log/index.ts';
import type { Deps } from '../deps.ts';
import { signerByToken } from '../steps/tokens.ts';

export interface ManageView {
  letter: LetterWithText;
  signature: Signature;
  /** The signature's log entries: its `sig` entry (or entries, after signing again) and any withdrawal or removal. */
  entries: SignerLogEntry[];
  /** Both openings are held (they are deleted on erasure). */
  openings: { name?: string | undefined; contact?: string | undefined };
  /** The published checkpoint's size: entries below it are in the public log already. */
  logSize: number;
}

/** What the manage token opens. TOKEN_INVALID for a receipt or withdrawal token, or one of erased data. */
export async function manageView(deps: Deps, token: unknown): Promise<ManageView> {
  const { letter, signature } = await signerByToken(deps.store, deps, token, 'manage');
  const [entries, log, st] = await Promise.all([deps.store.log.entriesOfSignature(signature.id), deps.store.log.signatureLog(signature.id), deps.store.log.state()]);
  return {
    letter,
    signature,
    entries,
    openings: { name: log?.nameOpening && toBase64(log.nameOpening), contact: log?.contactOpening && toBase64(log.contactOpening) },
    logSize: st?.size ?? 0,
  };
}

/**
 * The signer's data as a JSON download (GDPR Art. 15 and 20): every field we store about the signature, its state
 * and dates, its log entries, and the openings that link the log's commitments to the name and email. Nothing about
 * other signers, no token or token hash.
 */
export function signerData(view: ManageView, origin: string): Record<string, unknown> {
  const s = view.signature;
  return {
    format: 'undersigned-signer-data/v1',
    letter: { slug: view.letter.slug, titles: Object.fromEntries(view.letter.versions.map((v) => [v.lang, v.title])) },
    signature: {
      name: s.name,
      nameAlt: s.nameAlt ?? null,
      title: s.title ?? null,
      country: s.country ?? null,
      email: s.email,
      visibility: s.visibility,
      language: s.lang,
      consentUpdates: s.consentUpdates,
      status: s.status,
      textVersion: s.textVersion,
      imported: s.imported,
      createdAt: s.createdAt,
      confirmedAt: s.confirmedAt ?? null,
      withdrawnAt: s.withdrawnAt ?? null,
      updatedAt: s.updatedAt,
    },
    log: {
      origin,
      entries: view.entries.map((e) => ({ type: e.kind, index: e.index ?? null, time: new Date(e.time * 1000).toISOString(), ...(e.reason && e.kind !== 'sig' ? { reason: e.reason } : {}) })),
      nameOpening: view.openings.name ?? null,
      contactOpening: view.openings.contact ?? null,
    },
  };
}
