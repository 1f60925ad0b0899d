/**
 * Delivering the letter: its PDF (every version, as GET /letters/SLUG.pdf serves it) is mailed through the outbox to
 * each of its targets (or one, `targetId`), each mail in the target's language; each target's delivery is recorded
 * as queued (the outbox worker settles it: sent, or failed with the server's reason), and one `delivery` log entry
 * carries the PDF's SHA-256 and the tree size it shows, so anyone holding the PDF can check it is the one delivered.
 * Delivering again (after more signatures) is a new delivery with its own PDF and entry.
 */
import { DomainError } from '../core/errors.ts';
import { encodeEntry, fromBase64, toBase64 } from '../core/log/index.ts';
import { versionFor } from '../core/letters/letter.ts';
import type { Delivery } from '../core/model.ts';
import type { LetterPdfs } from '../core/ports.ts';
import { iso, type Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { logLetterId, unixSeconds } from './steps/log-entries.ts';
import { enqueueMail, titleFor } from './steps/mail.ts';
import { recordAudit } from './steps/audit.ts';

export interface DeliverOptions {
  /** Only this target (by id); all of the letter's targets otherwise. */
  targetId?: string | undefined;
  /** The organiser asking; undefined: the local operator (the CLI). */
  actor?: string | undefined;
}

export interface DeliveryResult {
  run: string;
  pdfSha256: string;
  treeSize: number;
  deliveries: Delivery[];
}

export async function deliverLetter(deps: Deps, pdfs: LetterPdfs, slug: string, opts: DeliverOptions = {}): Promise<DeliveryResult> {
  // Delivering speaks for the letter: its owners (and the operator), not its moderators.
  const letter = await loadOwnLetter(deps.store, slug, opts.actor, 'owner');
  if (letter.state === 'draft') throw new DomainError('LETTER_NOT_OPEN', 'Publish the letter before delivering it');
  const all = await deps.store.deliveries.targets(letter.id);
  const targets = opts.targetId === undefined ? all : all.filter((t) => t.id === opts.targetId);
  if (!targets.length) {
    throw new DomainError('TARGET_NOT_FOUND', opts.targetId === undefined ? 'The letter has no targets: add them to the letter ("targets")' : `The letter has no target ${opts.targetId}`);
  }
  // Drawn before the transaction (seconds for a long list); the same bytes the public gets for this data version.
  const pdf = await pdfs.pdf(letter);
  const contentBase64 = toBase64(pdf.bytes);
  const now = deps.clock.now();
  const at = iso(now);
  const run = deps.secrets.newId();
  const count = await deps.store.signatures.countConfirmed(letter.id);
  const deliveries = await deps.store.transaction(async (tx) => {
    const out: Delivery[] = [];
    for (const t of targets) {
      const id = `delivery:${deps.secrets.newId()}`;
      const mail = deps.templates.deliverLetter({
        lang: t.lang, letterTitle: titleFor(letter, t.lang), targetName: t.name, count,
        letterUrl: `${deps.baseUrl}/${versionFor(letter, t.lang) ? t.lang : letter.defaultLang}/letters/${letter.slug}`, treeSize: pdf.meta.treeSize, pdfSha256: pdf.sha256,
      });
      await enqueueMail(tx, deps, id, t.email, { ...mail, attachments: [{ filename: `${letter.slug}.pdf`, contentType: 'application/pdf', contentBase64 }] });
      const d: Delivery = { id, run, letterId: letter.id, targetId: t.id, status: 'queued', pdfSha256: pdf.sha256, treeSize: pdf.meta.treeSize, createdAt: at, updatedAt: at };
      await tx.deliveries.insert(d);
      out.push(d);
    }
    const time = unixSeconds(now);
    await tx.log.enqueue({
      kind: 'delivery', letter: logLetterId(letter), time,
      bytes: encodeEntry({ type: 'delivery', letter: logLetterId(letter), time, size: pdf.meta.treeSize, pdf: fromBase64(pdf.sha256) }),
    });
    await recordAudit(tx, deps, letter.id, opts.actor, 'deliver', { targets: out.length, treeSize: pdf.meta.treeSize });
    return out;
  });
  deps.signals.mailQueued();
  deps.signals.logQueued();
  deps.signals.letterChanged(letter.id);
  return { run, pdfSha256: pdf.sha256, treeSize: pdf.meta.treeSize, deliveries };
}
