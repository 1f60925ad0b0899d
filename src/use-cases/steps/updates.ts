/**
 * Queuing an update to a letter's signers. The update row goes in, inside the caller's transaction, only if the
 * letter has none with its key (a double click, a retried request: one update); a repeat queues nothing and answers
 * with the update already sent. Its mails are queued after that transaction commits, by fanOutUpdate, in batches of
 * FANOUT_BATCH recipients, each batch its own short transaction: sending to 100,000 signers never holds the write
 * lock for more than a batch, so signings go on meanwhile. One outbox mail per recipient (confirmed, opted in, not
 * unsubscribed, withdrawn, removed or erased), in the signer's language, with their own unsubscribe and manage links.
 *
 * Crash-safe and idempotent: the update row keeps the fan-out's cursor (the last signature id queued; recipients go
 * in id order) and moves it in the batch's transaction, conditionally on its old value, so a batch lands whole or
 * not at all, and of two resumptions at once one records each batch (the other rolls back). A fan-out left undone
 * (the process died) is resumed by the outbox worker (resumeFanouts). Job ids `update:<update>:<signature>` make a
 * mail queued twice one job in any case (the outbox's enqueue ignores a known id).
 *
 * Each mail carries a new unsubscribe token and a new manage token: tokens are stored only as hashes, so a live
 * token cannot be put in a second mail (that would need the token in clear at rest, or a key to derive every
 * signer's links from: either, leaked, would open every signer's manage page).
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

/** Recipients per fan-out transaction: 500 take about 80 ms on SQLite. */
export const FANOUT_BATCH = 500;
/** A fan-out that has not moved for this long is taken to be left by a crash, and resumed. */
export const FANOUT_STALE_MS = 60_000;

export interface QueueUpdate extends ValidUpdate {
  kind: UpdateKind;
  key: string;
  replyId?: string | undefined;
  createdBy?: string | undefined;
}

/** Stores the update (no mail yet: fanOutUpdate queues them once the caller's transaction committed). */
export async function queueUpdate(tx: StoreTx, deps: Deps, letter: LetterWithText, u: QueueUpdate): Promise<{ update: LetterUpdate; created: boolean }> {
  const recipients = await tx.updates.recipientCount(letter.id);
  const update: LetterUpdate = {
    id: deps.secrets.newId(), letterId: letter.id, key: u.key, kind: u.kind, subject: u.subject, body: u.body, replyId: u.replyId,
    recipients, createdAt: iso(deps.clock.now()), createdBy: u.createdBy, fanoutDone: recipients === 0,
  };
  if (!(await tx.updates.insertUpdate(update))) {
    const sent = await tx.updates.updateByKey(letter.id, u.key);
    if (sent) return { update: sent, created: false };
    throw new Error('an update with this key was neither inserted nor found');
  }
  return { update, created: true };
}

/** Another resumption recorded this batch first: this one rolls back and reads the cursor again. */
class FanoutMoved extends Error {}

/** One batch, in its own transaction: the next recipients' mails and the cursor moved past them. */
async function fanOutBatch(tx: StoreTx, deps: Deps, updateId: string, size: number): Promise<{ queued: number; done: boolean }> {
  const update = await tx.updates.updateById(updateId);
  if (!update || update.fanoutDone) return { queued: 0, done: true };
  const now = iso(deps.clock.now());
  const letter = await tx.letters.byId(update.letterId);
  if (!letter) {
    if (!(await tx.updates.advanceFanout(update.id, update.fanoutAfter, update.fanoutAfter, true, now))) throw new FanoutMoved();
    return { queued: 0, done: true };
  }
  // One more than a batch: whether this is the last one is known without an empty batch after it.
  const next = await tx.updates.recipientsAfter(letter.id, update.fanoutAfter, size + 1);
  const batch = next.slice(0, size);
  for (const r of batch) {
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
  const done = next.length <= size;
  if (!(await tx.updates.advanceFanout(update.id, update.fanoutAfter, batch.at(-1)?.signatureId ?? update.fanoutAfter, done, now))) throw new FanoutMoved();
  return { queued: batch.length, done };
}

export interface FanoutOptions {
  batchSize?: number | undefined;
  /** Stop after this many batches (a test's crash); the rest is left for resumeFanouts. */
  maxBatches?: number | undefined;
  /** Called after each committed batch (a test's look between two). */
  afterBatch?: ((n: number) => Promise<void> | void) | undefined;
  /** Checked before each batch: the worker stopping. */
  stopped?: (() => boolean) | undefined;
}

/**
 * Queues the update's mails from where its fan-out stands, batch by batch, each batch committed on its own; wakes
 * the outbox worker after each. Returns how many this call queued and whether the fan-out is done.
 */
export async function fanOutUpdate(deps: Deps, updateId: string, opts: FanoutOptions = {}): Promise<{ queued: number; batches: number; done: boolean }> {
  const size = Math.max(1, opts.batchSize ?? FANOUT_BATCH);
  let queued = 0;
  let batches = 0;
  while (batches < (opts.maxBatches ?? Infinity) && !opts.stopped?.()) {
    let r: { queued: number; done: boolean };
    try {
      r = await deps.store.transaction((tx) => fanOutBatch(tx, deps, updateId, size));
    } catch (e) {
      if (e instanceof FanoutMoved) continue;
      throw e;
    }
    if (r.queued === 0 && r.done) return { queued, batches, done: true };
    batches++;
    queued += r.queued;
    if (r.queued > 0) deps.signals.mailQueued();
    await opts.afterBatch?.(batches);
    if (r.done) return { queued, batches, done: true };
  }
  return { queued, batches, done: false };
}

/** Finishes the fan-outs that have not moved for `staleMs` (their process died): run by the outbox worker. */
export async function resumeFanouts(deps: Deps, opts: FanoutOptions & { staleMs?: number } = {}): Promise<number> {
  const before = iso(new Date(deps.clock.now().getTime() - (opts.staleMs ?? FANOUT_STALE_MS)));
  let resumed = 0;
  for (const u of await deps.store.updates.unfinishedFanouts(before, 20)) {
    if (opts.stopped?.()) break;
    await fanOutUpdate(deps, u.id, opts);
    resumed++;
  }
  return resumed;
}

/** The key of an update nobody named: its content, so that sending the same words twice is one update. */
export function contentKey(deps: Deps, fingerprint: string): string {
  return 'sha256:' + toBase64(deps.log.crypto.sha256(utf8(fingerprint)));
}
