/** /:lang/organise (the sign-in form, or the dashboard), /login, /login/complete, /logout. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../../../config.ts';
import { DomainError } from '../../../../core/errors.ts';
import { completeLogin, logout, requestLogin, SESSION_TTL_MS } from '../../../../use-cases/organiser-login.ts';
import { organiserDashboard } from '../../../../use-cases/reads/organiser-views.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { sameOriginOnly } from '../../kit/cross-origin.ts';
import type { LangParams } from '../../kit/lang.ts';
import { currentOrganiser, SESSION_COOKIE } from '../../kit/organiser.ts';
import { sendPage, uiAlternates } from '../../kit/page.ts';
import { messageDocument } from '../../views/message.ts';
import { dashboardPage } from '../../views/organise/dashboard.ts';
import { completeLoginPage, loginFailedBody, loginPage } from '../../views/organise/login.ts';

type G = LangParams & { Querystring: { token?: string }; Body: { email?: string; token?: string } | undefined };
type Req = FastifyRequest<G>;

export function sessionRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    const secure = base.startsWith('https:');
    // The organiser area keeps its per-session CSRF tokens in addition to the cross-origin check (ADR 0003).
    const sameOrigin = sameOriginOnly(new URL(base).origin);

    f.get<G>('/:lang/organise', async (req, reply) => {
      const { t } = req;
      const me = await currentOrganiser(s, req);
      if (!me) return sendPage(reply, loginPage(t, base, reply.generateCsrf(), { alternates: uiAlternates('/organise') }));
      const rows = await organiserDashboard(s.deps, me);
      return sendPage(reply, dashboardPage(t, base, me, reply.generateCsrf(), rows, uiAlternates('/organise')));
    });

    f.post<G>('/:lang/organise/login', { preValidation: f.signInLimit, preHandler: [sameOrigin, f.csrfProtection] }, async (req: Req, reply) => {
      const { t } = req;
      try {
        await requestLogin(s.deps, req.body?.email, t.lang);
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'VALIDATION_FAILED') throw e;
        return sendPage(reply, loginPage(t, base, reply.generateCsrf(), { email: req.body?.email, errors: e.fields }), 400);
      }
      return sendPage(reply, messageDocument(t, base, t('organise.login.heading'), t('organise.login.sent')));
    });

    // Like confirmation links: GET only shows a button, so a mail scanner cannot spend the link.
    f.get<G>('/:lang/organise/login/complete', async (req: Req, reply) =>
      sendPage(reply, completeLoginPage(req.t, base, reply.generateCsrf(), String(req.query.token ?? ''))));

    f.post<G>('/:lang/organise/login/complete', { preHandler: [sameOrigin, f.csrfProtection] }, async (req: Req, reply) => {
      const { t } = req;
      try {
        const session = await completeLogin(s.deps, String(req.body?.token ?? ''));
        reply.setCookie(SESSION_COOKIE, session.sessionId, { signed: true, httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: SESSION_TTL_MS / 1000 });
        return reply.redirect(`/${t.lang}/organise`, 303);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        const msg = e.code === 'TOKEN_EXPIRED' ? t('confirm.expired') : e.code === 'TOKEN_USED' ? t('confirm.used') : t('confirm.invalid');
        return sendPage(reply, messageDocument(t, base, t('organise.login.heading'), loginFailedBody(t, msg)), 400);
      }
    });

    f.post<G>('/:lang/organise/logout', { preHandler: [sameOrigin, f.csrfProtection] }, async (req, reply) => {
      const raw = req.cookies?.[SESSION_COOKIE];
      const un = raw ? req.unsignCookie(raw) : undefined;
      await logout(s.deps, un?.valid ? un.value ?? undefined : undefined);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect(`/${req.t.lang}/organise`, 303);
    });
  };
}
