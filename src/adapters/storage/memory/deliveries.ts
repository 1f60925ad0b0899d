/** In-memory DeliveryRepo: the reference for the SQL one (sql/deliveries.ts). */
import type { DeliveryRepo } from '../../../core/ports.ts';
import type { Delivery, DeliveryStatus, LetterTarget } from '../../../core/model.ts';

export interface DeliveryState {
  targets: Map<string, LetterTarget[]>;
  deliveries: Map<string, Delivery>;
}

export const emptyDeliveryState = (): DeliveryState => ({ targets: new Map(), deliveries: new Map() });

const clone = <T>(v: T): T => structuredClone(v);

export class MemDeliveries implements DeliveryRepo {
  constructor(private readonly st: () => DeliveryState) {}
  async putTargets(letterId: string, targets: LetterTarget[]) {
    this.st().targets.set(letterId, clone(targets));
  }
  async targets(letterId: string) {
    return clone(this.st().targets.get(letterId) ?? []);
  }
  async insert(d: Delivery) {
    this.st().deliveries.set(d.id, clone(d));
  }
  async settle(id: string, status: Exclude<DeliveryStatus, 'queued'>, at: string, error?: string) {
    const d = this.st().deliveries.get(id);
    if (d?.status !== 'queued') return false;
    Object.assign(d, { status, error, updatedAt: at, sentAt: status === 'sent' ? at : undefined });
    return true;
  }
  async bounce(id: string, at: string, reason: string) {
    const d = this.st().deliveries.get(id);
    if (d?.status !== 'sent') return false;
    Object.assign(d, { status: 'bounced', error: reason, updatedAt: at });
    return true;
  }
  async byLetter(letterId: string) {
    const order = new Map((this.st().targets.get(letterId) ?? []).map((t, i) => [t.id, i]));
    return [...this.st().deliveries.values()]
      .filter((d) => d.letterId === letterId)
      .sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.run !== b.run ? (a.run < b.run ? 1 : -1) : (order.get(a.targetId) ?? 0) - (order.get(b.targetId) ?? 0)))
      .map(clone);
  }
}
