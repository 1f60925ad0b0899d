/** Whether an address may create letters on this instance (UNDERSIGNED_ORGANISERS), and why not. */
import { DomainError } from '../../core/errors.ts';
import { listAllows } from '../../core/organisers/policy.ts';
import type { StoreTx } from '../../core/ports.ts';
import type { Deps } from '../deps.ts';

export type OrganiseDecision = { ok: true } | { ok: false; code: 'ORGANISER_NOT_ALLOWED' | 'ORGANISER_APPROVAL_PENDING'; message: string; request?: boolean };

export async function organiseDecision(tx: StoreTx, deps: Deps, email: string): Promise<OrganiseDecision> {
  const policy = deps.organiserPolicy ?? { mode: 'open' };
  if (policy.mode === 'open' || (await tx.desk.isAdmin(email))) return { ok: true };
  if (policy.mode === 'list') {
    if (listAllows(policy, email)) return { ok: true };
    return { ok: false, code: 'ORGANISER_NOT_ALLOWED', message: 'This instance lets only the addresses its operator listed create letters; ask the operator to add yours' };
  }
  const a = await tx.desk.approval(email);
  if (a?.status === 'approved') return { ok: true };
  if (a?.status === 'revoked') return { ok: false, code: 'ORGANISER_NOT_ALLOWED', message: 'An admin of this instance withdrew your permission to create letters' };
  return {
    ok: false,
    code: 'ORGANISER_APPROVAL_PENDING',
    message: 'An admin of this instance approves each new organiser; your request is waiting for approval',
    request: !a,
  };
}

/** Throws the refusal; under `approval` a first attempt records the request (in its own transaction, kept). */
export async function checkMayOrganise(deps: Deps, email: string): Promise<void> {
  const d = await organiseDecision(deps.store, deps, email);
  if (d.ok) return;
  if (d.request) await deps.store.transaction((tx) => tx.desk.insertApproval({ email, status: 'pending', requestedAt: deps.clock.now().toISOString() }));
  throw new DomainError(d.code, d.message);
}
