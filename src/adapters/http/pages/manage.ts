/**
 * The signer's "manage my signature" page (reached by the private link in every mail to a signer):
 *   GET  /:lang/manage?token=…             what we keep, and the forms (changes nothing)
 *   POST /:lang/manage/visibility          show or hide the name          → 303 back, with what was done
 *   POST /:lang/manage/withdraw            withdraw                       → 303 back
 *   POST /:lang/manage/export              the signer's data as a JSON download (a POST: the token stays out of URLs)
 *   GET  /:lang/manage/erase?token=…       asks first, says what stays (changes nothing)
 *   POST /:lang/manage/erase               erases the personal data (the log stays verifiable)
 * Mail scanners follow links: no GET changes anything. Every POST passes the cross-origin check; a refused one comes
 * back as the page it was sent from, saying nothing was done.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../config.ts';
import { DomainError } from '../../../core/errors.ts';
import { changeVisibility } from '../../../use-cases/change-visibility.ts';
import { eraseBySigner } from '../../../use-cases/erase.ts';
import { manageView, signerData } from '../../../use-cases/reads/manage-view.ts';
import type { Services } from '../../../use-cases/services.ts';
import { withdraw } from '../../../use-cases/withdraw.ts';
import type { T } from '../../i18n/index.ts';
import { isCrossSiteError, sameOriginOnly } from '../kit/cross-origin.ts';
import type { LangParams } from '../kit/lang.ts';
import { SIGN_BODY_LIMIT } from '../kit/limits.ts';
import { sendPage, signerAlternates } from '../kit/page.ts';
import { eraseAskPage, erasedPage, manageInvalidPage, managePage, type ManageNotice } from '../views/manage.ts';

type Body = { token?: string; visibility?: string } | undefined;
type G = LangParams & { Querystring: { token?: string; done?: string }; Body: Body };
type Req = FastifyRequest<G>;

const NOTICES: readonly ManageNotice[] = ['public', 'hidden', 'unchanged', 'withdrawn'];
const tokenOf = (v: unknown): string => (typeof v === 'string' ? v : '');

export function manageRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const here = (token: string, path = '/manage') => `${path}?token=${encodeURIComponent(token)}`;

    /** The manage page for `token` (or the invalid-link page), with a notice or an alert. */
    async function page(t: T, token: string, opts: { notice?: ManageNotice; alert?: string } = {}): Promise<{ status: number; html: string }> {
      try {
        const view = await manageView(s.deps, token);
        return { status: 200, html: managePage(t, base, view, token, { ...opts, alternates: signerAlternates(here(token), view.letter) }) };
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return { status: 404, html: manageInvalidPage(t, base, signerAlternates('/manage')) };
      }
    }

    async function erasePage(t: T, token: string, alert?: string): Promise<{ status: number; html: string }> {
      try {
        const view = await manageView(s.deps, token);
        return { status: 200, html: eraseAskPage(t, base, view, token, signerAlternates(here(token, '/manage/erase'), view.letter), alert) };
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return { status: 404, html: manageInvalidPage(t, base, signerAlternates('/manage')) };
      }
    }

    const send = (reply: FastifyReply, p: { status: number; html: string }, status = p.status) => sendPage(reply, p.html, status);
    const back = (reply: FastifyReply, t: T, token: string, done: ManageNotice) =>
      reply.header('cache-control', 'no-store').redirect(`/${t.lang}${here(token)}&done=${done}`, 303);

    /** The POST options every action shares: the body limit, the cross-origin check, and the page a refusal shows. */
    const post = (refused: (req: Req, alert: string) => Promise<string>) => ({
      bodyLimit: SIGN_BODY_LIMIT,
      onRequest: async (req: Req) => {
        req.rerender = async (err) => {
          if (!isCrossSiteError(err)) throw err;
          return refused(req, req.t('error.CROSS_SITE'));
        };
      },
      preHandler: sameOrigin,
    });
    const refusedManage = async (req: Req, alert: string) => (await page(req.t, tokenOf(req.body?.token), { alert })).html;

    f.get<G>('/:lang/manage', async (req, reply) => {
      const done = NOTICES.find((n) => n === req.query.done);
      return send(reply, await page(req.t, tokenOf(req.query.token), done ? { notice: done } : {}));
    });

    f.post<G>('/:lang/manage/visibility', post(refusedManage), async (req: Req, reply) => {
      const token = tokenOf(req.body?.token);
      try {
        const r = await changeVisibility(s.deps, token, req.body?.visibility);
        return back(reply, req.t, token, r.changed ? r.signature.visibility : 'unchanged');
      } catch (e) {
        if (!(e instanceof DomainError) || e.code === 'SERVER_BUSY') throw e;
        if (e.code === 'TOKEN_INVALID') return send(reply, await page(req.t, token), 404);
        const alert = e.code === 'SIGNATURE_WITHDRAWN' ? req.t('manage.withdrawnNoVisibility') : req.t('field.INVALID_CHOICE');
        return send(reply, await page(req.t, token, { alert }), e.code === 'SIGNATURE_WITHDRAWN' ? 409 : 400);
      }
    });

    f.post<G>('/:lang/manage/withdraw', post(refusedManage), async (req: Req, reply) => {
      const token = tokenOf(req.body?.token);
      try {
        // The manage token only: a receipt or withdrawal token opens no manage action.
        await manageView(s.deps, token);
        await withdraw(s.deps, token);
        return back(reply, req.t, token, 'withdrawn');
      } catch (e) {
        if (!(e instanceof DomainError) || e.code === 'SERVER_BUSY') throw e;
        return send(reply, await page(req.t, token), 404);
      }
    });

    f.post<G>('/:lang/manage/export', post(refusedManage), async (req: Req, reply) => {
      const token = tokenOf(req.body?.token);
      try {
        const view = await manageView(s.deps, token);
        return reply
          .type('application/json; charset=utf-8')
          .header('cache-control', 'no-store')
          .header('content-disposition', `attachment; filename="undersigned-${view.letter.slug}-my-data.json"`)
          .send(JSON.stringify(signerData(view, s.log.origin), null, 2) + '\n');
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return send(reply, await page(req.t, token), 404);
      }
    });

    f.get<G>('/:lang/manage/erase', async (req, reply) => send(reply, await erasePage(req.t, tokenOf(req.query.token))));

    f.post<G>('/:lang/manage/erase', post(async (req, alert) => (await erasePage(req.t, tokenOf(req.body?.token), alert)).html), async (req: Req, reply) => {
      const token = tokenOf(req.body?.token);
      try {
        const r = await eraseBySigner(s.deps, token);
        return sendPage(reply, erasedPage(req.t, base, r.letterSlug, r.lang, signerAlternates('/manage')));
      } catch (e) {
        if (!(e instanceof DomainError) || e.code === 'SERVER_BUSY') throw e;
        return send(reply, await page(req.t, token), 404);
      }
    });
  };
}
