/**
 * Instance admins (set by the operator with `undersigned admin add`) and, under UNDERSIGNED_ORGANISERS=approval,
 * their approvals of new organisers. Each write is one conditional statement: of two at once, one changes the row
 * and the other answers as a repeat does.
 */
import { DomainError } from '../core/errors.ts';
import { isEmail, normaliseEmail } from '../core/letters/letter.ts';
import type { InstanceAdmin, OrganiserApproval } from '../core/organisers/policy.ts';
import { iso, type Deps } from './deps.ts';
import { checkMayOrganise } from './steps/organiser-policy.ts';

function checkEmail(raw: string): string {
  if (typeof raw !== 'string' || !isEmail(raw.trim())) throw new DomainError('VALIDATION_FAILED', `"${raw}" is not an email address`, [{ field: 'email', code: 'INVALID_EMAIL' }]);
  return normaliseEmail(raw);
}

/** True when the address became an admin; false when it was one already. */
export async function addAdmin(deps: Deps, emailRaw: string, by = 'operator'): Promise<boolean> {
  const email = checkEmail(emailRaw);
  return deps.store.transaction((tx) => tx.desk.addAdmin({ email, addedAt: iso(deps.clock.now()), addedBy: by }));
}

export async function removeAdmin(deps: Deps, emailRaw: string): Promise<void> {
  const email = checkEmail(emailRaw);
  const removed = await deps.store.transaction((tx) => tx.desk.removeAdmin(email));
  if (!removed) throw new DomainError('ADMIN_NOT_FOUND', `${email} is not an admin of this instance`);
}

export async function listAdmins(deps: Deps): Promise<{ admins: InstanceAdmin[]; approvals: OrganiserApproval[] }> {
  return { admins: await deps.store.desk.admins(), approvals: await deps.store.desk.approvals() };
}

/**
 * Approves an address to create letters (its pending request, a revoked one, or ahead of any request). `changed`
 * is false when it was approved already.
 */
export async function approveOrganiser(deps: Deps, emailRaw: string, by = 'operator'): Promise<boolean> {
  const email = checkEmail(emailRaw);
  const at = iso(deps.clock.now());
  return deps.store.transaction(async (tx) => {
    if (await tx.desk.insertApproval({ email, status: 'approved', requestedAt: at, decidedAt: at, decidedBy: by })) return true;
    return tx.desk.decideApproval(email, ['pending', 'revoked'], 'approved', at, by);
  });
}

/** Withdraws an approval or refuses a pending request. False when it was revoked already. */
export async function revokeOrganiser(deps: Deps, emailRaw: string, by = 'operator'): Promise<boolean> {
  const email = checkEmail(emailRaw);
  const at = iso(deps.clock.now());
  return deps.store.transaction(async (tx) => {
    if (await tx.desk.decideApproval(email, ['pending', 'approved'], 'revoked', at, by)) return true;
    const a = await tx.desk.approval(email);
    if (!a) throw new DomainError('ORGANISER_NOT_FOUND', `${email} has neither asked nor been approved to organise`);
    return false;
  });
}

/**
 * Whether a signed-in person may create letters here: resolves when so, else throws ORGANISER_NOT_ALLOWED or
 * ORGANISER_APPROVAL_PENDING (under `approval` the first attempt records the request for an admin).
 */
export async function checkOrganiser(deps: Deps, email: string): Promise<void> {
  await checkMayOrganise(deps, email);
}
