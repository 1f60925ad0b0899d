/**
 * An owner's update to the letter's signers (the desk's form, POST /api/v1/organise/letters/:slug/updates): checked
 * (core/updates), then stored in one transaction with its audit entry, and its mails queued after it, one per
 * consenting confirmed signer, in batches of their own (steps/updates.ts fanOutUpdate). Idempotent: the same key (the form's nonce, an Idempotency-Key, else the words' hash) sends one update.
 */
import { DomainError } from '../core/errors.ts';
import type { LetterUpdate, UpdateKind } from '../core/model.ts';
import { updateFingerprint, validateUpdate } from '../core/updates/update.ts';
import type { Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { recordAudit } from './steps/audit.ts';
import { contentKey, fanOutUpdate, queueUpdate } from './steps/updates.ts';

export interface UpdateInput {
  subject?: unknown;
  body?: unknown;
  /** What makes a repeat the same update (a form's nonce, an API client's Idempotency-Key). */
  key?: string | undefined;
  kind?: UpdateKind | undefined;
}

export async function sendUpdate(deps: Deps, slug: string, actor: string | undefined, input: UpdateInput): Promise<{ update: LetterUpdate; created: boolean }> {
  const read = await loadOwnLetter(deps.store, slug, actor, 'owner');
  if (read.state === 'draft') throw new DomainError('LETTER_NOT_OPEN', 'Publish the letter before writing to its signers');
  const valid = validateUpdate(input, read.defaultLang);
  const named = typeof input.key === 'string' ? input.key.trim().slice(0, 200) : '';
  const key = named ? `key:${named}` : contentKey(deps, updateFingerprint(valid));
  const kind: UpdateKind = input.kind === 'milestone' ? 'milestone' : 'update';
  const out = await deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor, 'owner');
    const r = await queueUpdate(tx, deps, letter, { ...valid, kind, key, createdBy: actor });
    if (r.created) await recordAudit(tx, deps, letter.id, actor, 'update', { kind, recipients: r.update.recipients, languages: Object.keys(valid.subject).join(' ') });
    return r;
  });
  // The mails, batch by batch (the signals wake the outbox worker after each); a crash leaves the rest to the worker.
  if (out.created && !out.update.fanoutDone) await fanOutUpdate(deps, out.update.id);
  return out;
}
