/**
 * Organiser API tokens: made by the operator (`undersigned token create`), shown once, stored as a hash; a bearer
 * token acts as its organiser (on one letter when it names one) with that organiser's role at the time of each call.
 */
import { DomainError } from '../core/errors.ts';
import { isEmail, normaliseEmail } from '../core/letters/letter.ts';
import type { ApiToken } from '../core/organisers/policy.ts';
import { iso, type Deps } from './deps.ts';
import { recordAudit } from './steps/audit.ts';

/** Tokens start with this, so that a leaked one is recognisable (secret scanners) and never taken for a session. */
export const TOKEN_PREFIX = 'usd_';
export const MAX_TOKEN_DAYS = 3650;

export async function createApiToken(deps: Deps, emailRaw: string, opts: { letterSlug?: string | undefined; days?: number | undefined } = {}): Promise<{ token: string; record: ApiToken }> {
  if (typeof emailRaw !== 'string' || !isEmail(emailRaw.trim())) throw new DomainError('VALIDATION_FAILED', `"${emailRaw}" is not an email address`, [{ field: 'email', code: 'INVALID_EMAIL' }]);
  const email = normaliseEmail(emailRaw);
  if (opts.days !== undefined && (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > MAX_TOKEN_DAYS)) {
    throw new DomainError('VALIDATION_FAILED', `--expires is a whole number of days from 1 to ${MAX_TOKEN_DAYS}`, [{ field: 'expires', code: 'INVALID_NUMBER' }]);
  }
  const now = deps.clock.now();
  const token = TOKEN_PREFIX + deps.secrets.newToken();
  return deps.store.transaction(async (tx) => {
    let letterId: string | undefined;
    if (opts.letterSlug !== undefined) {
      const letter = await tx.letters.bySlug(opts.letterSlug);
      if (!letter) throw new DomainError('LETTER_NOT_FOUND', `No letter at /${opts.letterSlug}`);
      if (!letter.organisers.includes(email)) throw new DomainError('ORGANISER_NOT_FOUND', `${email} does not organise /${letter.slug}; add them first (undersigned letter organisers add)`);
      letterId = letter.id;
    }
    const record: ApiToken = {
      id: deps.secrets.newId(), tokenHash: deps.secrets.hashToken(token), email, letterId, createdAt: iso(now),
      expiresAt: opts.days ? iso(new Date(now.getTime() + opts.days * 86_400_000)) : undefined,
    };
    await tx.desk.insertToken(record);
    if (letterId) await recordAudit(tx, deps, letterId, undefined, 'token-create', { token: record.id, email });
    return { token, record };
  });
}

/** True when revoked now, false when it was revoked already. */
export async function revokeApiToken(deps: Deps, id: string): Promise<boolean> {
  return deps.store.transaction(async (tx) => {
    const all = await tx.desk.tokens();
    const t = all.find((x) => x.id === id);
    if (!t) throw new DomainError('API_TOKEN_NOT_FOUND', `No API token with id ${id}`);
    const revoked = await tx.desk.revokeToken(id, iso(deps.clock.now()));
    if (revoked && t.letterId) await recordAudit(tx, deps, t.letterId, undefined, 'token-revoke', { token: id, email: t.email });
    return revoked;
  });
}

export async function listApiTokens(deps: Deps, email?: string): Promise<ApiToken[]> {
  return (await deps.store.desk.tokens(email ? normaliseEmail(email) : undefined)).map(({ tokenHash: _h, ...t }) => t as ApiToken);
}

/**
 * The organiser a bearer token acts as, or NOT_SIGNED_IN (unknown, revoked or expired: the answer does not say which).
 * A token for one letter refuses the others.
 */
export async function tokenOrganiser(deps: Deps, bearer: string | undefined, letterSlug: string): Promise<string> {
  const refused = new DomainError('NOT_SIGNED_IN', 'Send a valid organiser API token: Authorization: Bearer usd_…');
  if (!bearer?.startsWith(TOKEN_PREFIX) || bearer.length > 200) throw refused;
  const t = await deps.store.desk.tokenByHash(deps.secrets.hashToken(bearer));
  if (!t || t.revokedAt || (t.expiresAt && Date.parse(t.expiresAt) <= deps.clock.now().getTime())) throw refused;
  if (t.letterId) {
    const letter = await deps.store.letters.bySlug(letterSlug);
    if (letter && letter.id !== t.letterId) throw new DomainError('NOT_AUTHORISED', 'This token is for another letter');
  }
  return t.email;
}
