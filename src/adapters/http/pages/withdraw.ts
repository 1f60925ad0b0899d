/** GET|POST /:lang/withdraw: the withdrawal link's page (a button; nothing changes) and the button's post. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../../config.ts';
import { DomainError } from '../../../core/errors.ts';
import { signerView } from '../../../use-cases/reads/signer-view.ts';
import type { Services } from '../../../use-cases/services.ts';
import { withdraw } from '../../../use-cases/withdraw.ts';
import type { T } from '../../i18n/index.ts';
import { isCrossSiteError, sameOriginOnly } from '../kit/cross-origin.ts';
import type { LangParams } from '../kit/lang.ts';
import { SIGN_BODY_LIMIT } from '../kit/limits.ts';
import { sendPage, signerAlternates } from '../kit/page.ts';
import { withdrawMessagePage, withdrawnPage, withdrawPage } from '../views/withdraw.ts';

type G = LangParams & { Querystring: { token?: string }; Body: { token?: string } | undefined };
type Req = FastifyRequest<G>;

export function withdrawRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    const sameOrigin = sameOriginOnly(new URL(base).origin);

    /** The withdrawal page: a button that withdraws by POST, with `notice` above it after a refused post. */
    async function view(t: T, token: string, notice?: string): Promise<{ status: number; html: string }> {
      const here = `/withdraw?token=${encodeURIComponent(token)}`;
      try {
        const { letter, signature } = await signerView(s.deps, token);
        const alternates = signerAlternates(here, letter);
        if (signature.status === 'withdrawn' || signature.status === 'invalidated') return { status: 200, html: withdrawMessagePage(t, base, t('withdraw.already'), alternates) };
        return { status: 200, html: withdrawPage(t, base, letter, token, notice, alternates) };
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return { status: 404, html: withdrawMessagePage(t, base, t('withdraw.invalid'), signerAlternates(here)) };
      }
    }

    // GET shows a button and changes nothing: mail scanners that follow links must not withdraw.
    f.get<G>('/:lang/withdraw', async (req: Req, reply) => {
      const v = await view(req.t, String(req.query.token ?? ''));
      return sendPage(reply, v.html, v.status);
    });

    f.post<G>(
      '/:lang/withdraw',
      {
        bodyLimit: SIGN_BODY_LIMIT,
        // Refused as cross-site: the withdrawal page again, saying why (nothing was withdrawn).
        onRequest: async (req: Req) => {
          req.rerender = async (err) => {
            if (!isCrossSiteError(err)) throw err;
            return (await view(req.t, String(req.body?.token ?? ''), req.t('error.CROSS_SITE'))).html;
          };
        },
        preHandler: sameOrigin,
      },
      async (req: Req, reply) => {
        const { t } = req;
        const token = String(req.body?.token ?? '');
        const here = `/withdraw?token=${encodeURIComponent(token)}`;
        try {
          const { letter, signature, already } = await withdraw(s.deps, token);
          return sendPage(reply, withdrawnPage(t, base, letter, signature, already, signerAlternates(here, letter)));
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          return sendPage(reply, withdrawMessagePage(t, base, t('withdraw.invalid'), signerAlternates(here)), 400);
        }
      },
    );
  };
}
