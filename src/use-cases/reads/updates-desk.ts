/**
 * The owners' page of updates, the reply and delivery: who an update would reach now, what was sent, the replies,
 * the targets with their last delivery, and whether the goal was reached with no milestone update sent yet.
 */
import type { Delivery, LetterReply, LetterTarget, LetterUpdate, LetterWithText } from '../../core/model.ts';
import { goalReached } from '../../core/updates/update.ts';
import type { Deps } from '../deps.ts';
import { loadOwnLetter } from '../steps/access.ts';

export interface UpdatesDesk {
  letter: LetterWithText;
  count: number;
  /** How many signers an update sent now would go to. */
  recipients: number;
  /** How many confirmed signers unsubscribed from the letter's updates (through an update mail's link). */
  unsubscribed: number;
  updates: LetterUpdate[];
  replies: LetterReply[];
  targets: { target: LetterTarget; last?: Delivery | undefined }[];
  /** The goal is reached and no milestone update was sent: the page offers a ready draft. */
  offerMilestone: boolean;
}

export async function updatesDesk(deps: Deps, slug: string, actor: string | undefined): Promise<UpdatesDesk> {
  const letter = await loadOwnLetter(deps.store, slug, actor, 'owner');
  const store = deps.store;
  const [count, recipients, unsubscribed, updates, replies, targets, deliveries] = await Promise.all([
    store.signatures.countConfirmed(letter.id), store.updates.recipientCount(letter.id), store.updates.unsubscribed(letter.id), store.updates.updates(letter.id),
    store.updates.replies(letter.id), store.deliveries.targets(letter.id), store.deliveries.byLetter(letter.id),
  ]);
  const last = new Map<string, Delivery>();
  for (const d of deliveries) if (!last.has(d.targetId)) last.set(d.targetId, d);
  return {
    letter, count, recipients, unsubscribed, updates, replies,
    targets: targets.map((target) => ({ target, last: last.get(target.id) })),
    offerMilestone: letter.state !== 'draft' && goalReached(letter.goal, count) && !updates.some((u) => u.kind === 'milestone'),
  };
}
