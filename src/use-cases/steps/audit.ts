/** The organisers' audit trail: one entry per organiser action, written in the action's own transaction. */
import type { StoreTx } from '../../core/ports.ts';
import type { AuditAction, AuditEntry } from '../../core/organisers/policy.ts';
import type { Deps } from '../deps.ts';

export async function recordAudit(tx: StoreTx, deps: Deps, letterId: string, actor: string | undefined, action: AuditAction, detail: AuditEntry['detail'] = {}): Promise<void> {
  await tx.desk.addAudit({ id: deps.secrets.newId(), letterId, at: deps.clock.now().toISOString(), actor: actor ?? 'operator', action, detail });
}

/** A filter as the audit trail keeps it (a searched name too: only the letter's owners read the trail). */
export function filterDetail(f: object): Record<string, string> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined).map(([k, v]) => [`filter.${k}`, String(v)]));
}
