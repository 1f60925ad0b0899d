/**
 * An owner marks a sent delivery as bounced: the addressee's server accepted the mail, then sent it back (a bounce
 * message in the owners' mailbox). The owner pastes the bounce text; the delivery goes from sent to bounced in one
 * conditional update (of two at once, one lands), and the audit trail records who did it, when, and to which target.
 * The text stays on the desk (it may name the addressee's address); the public sees the status only.
 * A 5xx from our own SMTP transport already makes the delivery `failed` (the outbox worker): that stays as it is.
 */
import { DomainError } from '../core/errors.ts';
import type { Delivery } from '../core/model.ts';
import { iso, type Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { recordAudit } from './steps/audit.ts';

/** The longest bounce text kept (a bounce with its headers is a few kB; the rest is cut). */
export const MAX_BOUNCE_TEXT = 8000;

export async function markBounced(deps: Deps, slug: string, actor: string | undefined, deliveryId: string, text: unknown): Promise<Delivery> {
  if (typeof text !== 'string' || !text.trim()) {
    throw new DomainError('VALIDATION_FAILED', 'Paste the bounce message', [{ field: 'bounce', code: 'REQUIRED' }]);
  }
  const reason = text.trim().slice(0, MAX_BOUNCE_TEXT);
  const out = await deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor, 'owner');
    const d = (await tx.deliveries.byLetter(letter.id)).find((x) => x.id === deliveryId);
    if (!d) throw new DomainError('DELIVERY_NOT_FOUND', `The letter has no delivery ${deliveryId}`);
    const at = iso(deps.clock.now());
    if (!(await tx.deliveries.bounce(d.id, at, reason))) {
      throw new DomainError('DELIVERY_NOT_SENT', `Only a sent delivery can be marked as bounced; this one is ${d.status}`);
    }
    const target = (await tx.deliveries.targets(letter.id)).find((t) => t.id === d.targetId);
    await recordAudit(tx, deps, letter.id, actor, 'bounce', { delivery: d.id, target: target?.name ?? d.targetId, run: d.run });
    return { letterId: letter.id, delivery: { ...d, status: 'bounced' as const, error: reason, updatedAt: at } };
  });
  deps.signals.letterChanged(out.letterId);
  return out.delivery;
}
