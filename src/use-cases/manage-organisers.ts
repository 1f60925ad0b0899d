/**
 * The organisers of a letter: owners add and remove organisers and set their roles (owner or moderator); the last
 * owner cannot be removed or made a moderator (LAST_OWNER). Each change rewrites the letter's row only if it is as
 * read, so of concurrent changes each sees the others' result (two removals cannot both take the last owners away).
 */
import { DomainError } from '../core/errors.ts';
import { isEmail, LIMITS, normaliseEmail } from '../core/letters/letter.ts';
import { ORGANISER_ROLES, type OrganiserRole } from '../core/organisers/policy.ts';
import { iso, Raced, retryRaced, type Deps } from './deps.ts';
import { loadOwnLetter } from './steps/access.ts';
import { recordAudit } from './steps/audit.ts';
import { forgetLetter } from './steps/letter-snapshot.ts';

export interface OrganiserRow {
  email: string;
  role: OrganiserRole;
}

/**
 * The letter's new updatedAt: now, or a millisecond after the one read when the clock has not moved past it, so the
 * conditional update (which compares updatedAt) always sees a change made in the same millisecond.
 */
function laterThan(now: string, read: string): string {
  return now > read ? now : new Date(Date.parse(read) + 1).toISOString();
}

/** Organiser changes are rare and made by people: a burst of them at once (a script) waits its turn rather than fail. */
const RACE_TRIES = 50;

function checkEmail(raw: string): string {
  if (typeof raw !== 'string' || !isEmail(raw.trim())) throw new DomainError('VALIDATION_FAILED', `"${raw}" is not an email address`, [{ field: 'email', code: 'INVALID_EMAIL' }]);
  return normaliseEmail(raw);
}

export function isOrganiserRole(r: unknown): r is OrganiserRole {
  return typeof r === 'string' && (ORGANISER_ROLES as readonly string[]).includes(r);
}

export async function listOrganisers(deps: Deps, slug: string, actor: string | undefined): Promise<OrganiserRow[]> {
  const letter = await loadOwnLetter(deps.store, slug, actor);
  const moderators = await deps.store.desk.moderators(letter.id);
  return letter.organisers.map((email) => ({ email, role: moderators.includes(email) ? 'moderator' : 'owner' }));
}

/** Adds an organiser or changes their role. `changed` is false for a repeat (already so). */
export async function addOrganiser(deps: Deps, slug: string, emailRaw: string, role: OrganiserRole, actor: string | undefined): Promise<OrganiserRow & { changed: boolean }> {
  const email = checkEmail(emailRaw);
  if (!isOrganiserRole(role)) throw new DomainError('VALIDATION_FAILED', 'The role is owner or moderator', [{ field: 'role', code: 'INVALID_CHOICE' }]);
  const now = iso(deps.clock.now());
  const result = await retryRaced(() => deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor, 'owner');
    const moderators = await tx.desk.moderators(letter.id);
    const present = letter.organisers.includes(email);
    const current: OrganiserRole | undefined = present ? (moderators.includes(email) ? 'moderator' : 'owner') : undefined;
    if (current === role) return { email, role, changed: false, letterId: letter.id };
    if (current === 'owner' && role === 'moderator') {
      const owners = letter.organisers.filter((o) => !moderators.includes(o));
      if (owners.length <= 1) throw new DomainError('LAST_OWNER', `${email} is the letter's last owner; add another owner first`);
    }
    if (!present && letter.organisers.length >= LIMITS.organisers) {
      throw new DomainError('VALIDATION_FAILED', `A letter has at most ${LIMITS.organisers} organisers`, [{ field: 'organisers', code: 'TOO_LONG', limit: LIMITS.organisers }]);
    }
    const { versions: _v, ...row } = letter;
    const organisers = present ? letter.organisers : [...letter.organisers, email];
    if (!(await tx.letters.updateIfUnchanged({ ...row, organisers, updatedAt: laterThan(now, letter.updatedAt) }, letter))) throw new Raced();
    await tx.desk.setModerator(letter.id, email, role === 'moderator');
    await recordAudit(tx, deps, letter.id, actor, 'organiser-add', { email, role });
    return { email, role, changed: true, letterId: letter.id };
  }), RACE_TRIES).finally(() => forgetLetter(deps.store, slug));
  if (result.changed) deps.signals.letterChanged(result.letterId);
  return { email: result.email, role: result.role, changed: result.changed };
}

export async function removeOrganiser(deps: Deps, slug: string, emailRaw: string, actor: string | undefined): Promise<void> {
  const email = checkEmail(emailRaw);
  const now = iso(deps.clock.now());
  const letterId = await retryRaced(() => deps.store.transaction(async (tx) => {
    const letter = await loadOwnLetter(tx, slug, actor, 'owner');
    if (!letter.organisers.includes(email)) throw new DomainError('ORGANISER_NOT_FOUND', `${email} does not organise /${slug}`);
    const moderators = await tx.desk.moderators(letter.id);
    const owners = letter.organisers.filter((o) => !moderators.includes(o));
    if (owners.length === 1 && owners[0] === email) throw new DomainError('LAST_OWNER', `${email} is the letter's last owner; add another owner first`);
    const { versions: _v, ...row } = letter;
    const organisers = letter.organisers.filter((o) => o !== email);
    if (!(await tx.letters.updateIfUnchanged({ ...row, organisers, updatedAt: laterThan(now, letter.updatedAt) }, letter))) throw new Raced();
    await tx.desk.setModerator(letter.id, email, false);
    await recordAudit(tx, deps, letter.id, actor, 'organiser-remove', { email });
    return letter.id;
  }), RACE_TRIES).finally(() => forgetLetter(deps.store, slug));
  deps.signals.letterChanged(letterId);
}
