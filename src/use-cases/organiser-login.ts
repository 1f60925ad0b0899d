/**
 * Organisers sign in with a one-time link sent by email: no passwords to leak or reuse. The answer to a
 * login request is the same for any address (threat: finding out who organises a letter).
 */
import { DomainError } from '../core/errors.ts';
import { isEmail, normaliseEmail } from '../core/letters/letter.ts';
import { iso, type Deps } from './deps.ts';
import { enqueueMail } from './steps/mail.ts';

export const LOGIN_TOKEN_TTL_MS = 30 * 60 * 1000;
export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;

export async function requestLogin(deps: Deps, emailInput: unknown, lang: string): Promise<void> {
  if (typeof emailInput !== 'string' || !isEmail(emailInput.trim())) {
    throw new DomainError('VALIDATION_FAILED', 'Enter a valid email address', [{ field: 'email', code: 'INVALID_EMAIL' }]);
  }
  const email = normaliseEmail(emailInput);
  const now = deps.clock.now();
  const token = deps.secrets.newToken();
  const expiresAt = iso(new Date(now.getTime() + LOGIN_TOKEN_TTL_MS));
  const tokenHash = deps.secrets.hashToken(token);
  await deps.store.transaction(async (tx) => {
    await tx.auth.insertLoginToken({ tokenHash, email, expiresAt, createdAt: iso(now) });
    const link = `${deps.baseUrl}/${encodeURIComponent(lang)}/organise/login/complete?token=${encodeURIComponent(token)}`;
    await enqueueMail(tx, deps, `login:${tokenHash}`, email, deps.templates.organiserLogin({ lang, link, expiresAt }));
  });
  deps.signals.mailQueued();
}

/** Spends a login token and opens a session. Returns the session id (only its hash is stored). */
export async function completeLogin(deps: Deps, token: string): Promise<{ sessionId: string; email: string; expiresAt: string }> {
  const now = deps.clock.now();
  const tokenHash = deps.secrets.hashToken(String(token));
  return deps.store.transaction(async (tx) => {
    const t = await tx.auth.loginToken(tokenHash);
    if (!t) throw new DomainError('TOKEN_INVALID', 'This sign-in link is not valid');
    if (t.usedAt) throw new DomainError('TOKEN_USED', 'This sign-in link was already used');
    if (Date.parse(t.expiresAt) <= now.getTime()) throw new DomainError('TOKEN_EXPIRED', 'This sign-in link has expired');
    if (!(await tx.auth.markLoginTokenUsed(tokenHash, iso(now)))) throw new DomainError('TOKEN_USED', 'This sign-in link was already used');
    const sessionId = deps.secrets.newToken();
    const expiresAt = iso(new Date(now.getTime() + SESSION_TTL_MS));
    await tx.auth.insertSession({ idHash: deps.secrets.hashToken(sessionId), email: t.email, expiresAt, createdAt: iso(now) });
    return { sessionId, email: t.email, expiresAt };
  });
}

export async function sessionEmail(deps: Deps, sessionId: string | undefined): Promise<string | undefined> {
  if (!sessionId || sessionId.length > 200) return undefined;
  const s = await deps.store.auth.session(deps.secrets.hashToken(sessionId));
  if (!s || Date.parse(s.expiresAt) <= deps.clock.now().getTime()) return undefined;
  return s.email;
}

export async function logout(deps: Deps, sessionId: string | undefined): Promise<void> {
  if (sessionId) await deps.store.auth.deleteSession(deps.secrets.hashToken(sessionId));
}
