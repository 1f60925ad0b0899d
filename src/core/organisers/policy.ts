/**
 * Who may organise letters on an instance (UNDERSIGNED_ORGANISERS): anyone who can receive mail (`open`), a list of
 * addresses and `@domains`, or whoever an instance admin approved (`approval`). Instance admins always may.
 * Roles on one letter: owners manage the letter and its organisers; moderators review and remove signatures.
 */
import { isEmail, normaliseEmail } from '../letters/letter.ts';

export type OrganiserPolicy =
  | { mode: 'open' }
  | { mode: 'list'; emails: string[]; domains: string[] }
  | { mode: 'approval' };

export type OrganiserRole = 'owner' | 'moderator';
export const ORGANISER_ROLES: readonly OrganiserRole[] = ['owner', 'moderator'];

/** Parses the setting; a string is the reason it was refused. An empty list lets only admins organise. */
export function parseOrganiserPolicy(raw: string): OrganiserPolicy | string {
  const v = raw.trim();
  if (v.toLowerCase() === 'open') return { mode: 'open' };
  if (v.toLowerCase() === 'approval') return { mode: 'approval' };
  const emails: string[] = [];
  const domains: string[] = [];
  for (const part of v.split(/[\s,;]+/).filter(Boolean)) {
    if (/^@[a-z0-9.-]+\.[a-z]{2,}$/i.test(part)) domains.push(part.slice(1).toLowerCase());
    else if (isEmail(part)) emails.push(normaliseEmail(part));
    else return `"${part}" is neither an email address nor an @domain`;
  }
  return { mode: 'list', emails, domains };
}

/** Whether the list lets this address organise (the other modes are decided with the stored approvals). */
export function listAllows(policy: Extract<OrganiserPolicy, { mode: 'list' }>, email: string): boolean {
  const e = normaliseEmail(email);
  const domain = e.slice(e.lastIndexOf('@') + 1);
  return policy.emails.includes(e) || policy.domains.includes(domain);
}

export function describePolicy(p: OrganiserPolicy): string {
  if (p.mode !== 'list') return p.mode;
  const all = [...p.emails, ...p.domains.map((d) => '@' + d)];
  return all.length ? all.join(', ') : '(empty list: only instance admins)';
}

export type ApprovalStatus = 'pending' | 'approved' | 'revoked';

/** A person's request to organise, under the `approval` policy (or an admin's approval given ahead of it). */
export interface OrganiserApproval {
  email: string;
  status: ApprovalStatus;
  requestedAt: string;
  decidedAt?: string | undefined;
  decidedBy?: string | undefined;
}

export interface InstanceAdmin {
  email: string;
  addedAt: string;
  addedBy: string;
}

/** An organiser API token as stored: only the hash of the token itself. */
export interface ApiToken {
  id: string;
  tokenHash: string;
  email: string;
  /** Limits the token to one letter; else every letter the address organises. */
  letterId?: string | undefined;
  createdAt: string;
  expiresAt?: string | undefined;
  revokedAt?: string | undefined;
}

export type AuditAction =
  | 'publish' | 'close' | 'reopen' | 'edit' | 'remove' | 'merge' | 'dismiss' | 'vet' | 'export'
  | 'organiser-add' | 'organiser-remove' | 'token-create' | 'token-revoke'
  | 'update' | 'reply' | 'deliver' | 'targets'
  /** A sent delivery marked as bounced, with the bounce message the owner pasted. */
  | 'bounce'
  /** Held signatures released (counted and logged from then on), or removed without ever counting. */
  | 'release' | 'remove-held'
  | 'import' | 'notable';

/** One organiser action on a letter, visible to its owners (public actions are in the transparency log too). */
export interface AuditEntry {
  id: string;
  letterId: string;
  at: string;
  /** The organiser's address, or `operator` for the local CLI. */
  actor: string;
  action: AuditAction;
  /** Short facts about the action (counts, reason, role); never a signer's address. */
  detail: Record<string, string | number | boolean>;
}
