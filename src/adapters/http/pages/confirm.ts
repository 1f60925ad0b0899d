/** GET|POST /:lang/confirm (the emailed link's page and the button's post), POST /:lang/confirm/renew. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../../config.ts';
import { DomainError } from '../../../core/errors.ts';
import { confirm, inspectToken, renewConfirmation } from '../../../use-cases/confirm.ts';
import type { Services } from '../../../use-cases/services.ts';
import type { T } from '../../i18n/index.ts';
import { isCrossSiteError, sameOriginOnly } from '../kit/cross-origin.ts';
import type { LangParams } from '../kit/lang.ts';
import { rateLimitFor, SIGN_BODY_LIMIT } from '../kit/limits.ts';
import { sendPage, signerAlternates } from '../kit/page.ts';
import { shareBlock } from '../views/share.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import { confirmedPage, confirmPage, confirmRefusedPage, renewedPage, type ConfirmView } from '../views/confirm.ts';

type G = LangParams & { Querystring: { token?: string }; Body: { token?: string } | undefined };
type Req = FastifyRequest<G>;

export function confirmRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    const sameOrigin = sameOriginOnly(new URL(base).origin);

    /** What the link's page shows, and the same page in other languages; nothing changes. */
    async function viewOf(token: string): Promise<{ view: ConfirmView; status: number; alternates: ReturnType<typeof signerAlternates> }> {
      const here = `/confirm?token=${encodeURIComponent(token)}`;
      try {
        const { letter, signature } = await inspectToken(s.deps, token);
        const alternates = signerAlternates(here, letter);
        if (signature.status === 'confirmed' || signature.status === 'held') return { view: { kind: 'already' }, status: 200, alternates };
        return { view: { kind: 'ask', letter, signature, token }, status: 200, alternates };
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return { view: { kind: 'invalid' }, status: 404, alternates: signerAlternates(here) };
      }
    }

    /** Refused as cross-site: the confirmation page again, saying why (nothing was confirmed). */
    const refused = async (req: Req) => {
      req.rerender = async (err) => {
        if (!isCrossSiteError(err)) throw err;
        const v = await viewOf(String(req.body?.token ?? ''));
        return confirmPage(req.t, base, v.view, req.t('error.CROSS_SITE'), v.alternates);
      };
    };

    // GET shows a button and changes nothing: mail scanners that follow links must not confirm.
    f.get<G>('/:lang/confirm', async (req: Req, reply) => {
      const { view, status, alternates } = await viewOf(String(req.query.token ?? ''));
      return sendPage(reply, confirmPage(req.t, base, view, undefined, alternates), status);
    });

    f.post<G>('/:lang/confirm', { bodyLimit: SIGN_BODY_LIMIT, onRequest: refused, preHandler: sameOrigin }, async (req: Req, reply) => {
      const t: T = req.t;
      const token = String(req.body?.token ?? '');
      try {
        const { letter, signature, receiptToken } = await confirm(s.deps, token);
        // Just signed: the moment to pass the letter on. In another language: the receipt page (the link is used up).
        const version = versionFor(letter, t.lang) ?? versionFor(letter, signature.lang);
        const share = version ? shareBlock(t, base, letter, version, await s.reads.count(letter.id)) : undefined;
        const alternates = receiptToken ? signerAlternates(`/receipts/${encodeURIComponent(receiptToken)}`, letter) : [];
        return sendPage(reply, confirmedPage(t, base, letter, signature, receiptToken, share, alternates));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        const { alternates } = await viewOf(token);
        return sendPage(reply, confirmRefusedPage(t, base, e.code, token, alternates), e.code === 'SIGNATURE_ALREADY_CONFIRMED' ? 200 : 400);
      }
    });

    f.post<G>(
      '/:lang/confirm/renew',
      { bodyLimit: SIGN_BODY_LIMIT, onRequest: refused, preHandler: sameOrigin, config: { rateLimit: rateLimitFor(config) } },
      async (req: Req, reply) => {
        const { t } = req;
        let msg = t('confirm.renewed');
        try {
          await renewConfirmation(s.deps, String(req.body?.token ?? ''));
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          msg = e.code === 'SIGNATURE_ALREADY_CONFIRMED' ? t('confirm.already') : e.code === 'LETTER_CLOSED' ? t('confirm.closed') : t('confirm.invalid');
        }
        return sendPage(reply, renewedPage(t, base, msg));
      },
    );
  };
}
