/**
 * GET|POST /:lang/unsubscribe?token=…: the link in every update mail. GET shows one button and changes nothing (mail
 * scanners follow links); POST unsubscribes — the button, or a mail client's one-click POST (RFC 8058: the URL of
 * List-Unsubscribe, body `List-Unsubscribe=One-Click`, sent by the mail provider, so no Origin of ours and no
 * cookie: the unguessable token in the URL is what authorises it, and there is no cross-origin check here).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../../config.ts';
import { DomainError } from '../../../core/errors.ts';
import type { Services } from '../../../use-cases/services.ts';
import { unsubscribe, unsubscribeView } from '../../../use-cases/unsubscribe.ts';
import type { LangParams } from '../kit/lang.ts';
import { SIGN_BODY_LIMIT } from '../kit/limits.ts';
import { sendPage, signerAlternates } from '../kit/page.ts';
import { unsubscribedPage, unsubscribeInvalidPage, unsubscribePage } from '../views/reply.ts';

type G = LangParams & { Querystring: { token?: string }; Body: Record<string, unknown> | string | undefined };
type Req = FastifyRequest<G>;

export function unsubscribeRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    // RFC 8058 allows the one-click body as multipart/form-data too; what it says is not needed (the URL is).
    f.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: SIGN_BODY_LIMIT }, async () => ({}));

    const tokenOf = (req: Req) => {
      const b = req.body;
      const fromBody = b && typeof b === 'object' && typeof b.token === 'string' ? b.token : undefined;
      return String(req.query.token ?? fromBody ?? '');
    };
    const here = (token: string) => `/unsubscribe?token=${encodeURIComponent(token)}`;

    f.get<G>('/:lang/unsubscribe', async (req: Req, reply) => {
      const token = tokenOf(req);
      try {
        const v = await unsubscribeView(s.deps, token);
        const alternates = signerAlternates(here(token), v.letter);
        return sendPage(reply, v.subscribed ? unsubscribePage(req.t, base, v.letter, token, alternates) : unsubscribedPage(req.t, base, v.letter, alternates));
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'TOKEN_INVALID') throw e;
        return sendPage(reply, unsubscribeInvalidPage(req.t, base, signerAlternates(here(token))), 404);
      }
    });

    f.post<G>('/:lang/unsubscribe', { bodyLimit: SIGN_BODY_LIMIT }, async (req: Req, reply) => {
      const token = tokenOf(req);
      try {
        const v = await unsubscribe(s.deps, token);
        return sendPage(reply, unsubscribedPage(req.t, base, v.letter, signerAlternates(here(token), v.letter)));
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'TOKEN_INVALID') throw e;
        return sendPage(reply, unsubscribeInvalidPage(req.t, base, signerAlternates(here(token))), 404);
      }
    });
  };
}
