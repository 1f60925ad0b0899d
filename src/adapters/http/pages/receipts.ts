/**
 * The signer's receipt (reached by a link only they received): /:lang/receipts/:token and its .tlog-proof, .json and
 * /verify; the public receipt check /:lang/verify and its script /assets/receipt-check.js. GET never changes anything.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../../config.ts';
import { DomainError } from '../../../core/errors.ts';
import { signerReceipt, signerView } from '../../../use-cases/reads/signer-view.ts';
import type { Services } from '../../../use-cases/services.ts';
import { receiptCheckerScript } from '../browser-bundle.ts';
import type { LangParams } from '../kit/lang.ts';
import { sendPage, signerAlternates, uiAlternates } from '../kit/page.ts';
import { CHECKER, receiptInvalidPage, receiptPage, receiptVerifyPage, verifyPage } from '../views/receipt.ts';

type TokenParams = { Params: { lang: string; token: string } };

export function receiptRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;

    f.get(CHECKER, { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(await receiptCheckerScript()),
    );

    f.get<TokenParams>('/:lang/receipts/:token', async (req, reply) => {
      const here = `/receipts/${encodeURIComponent(req.params.token)}`;
      try {
        const view = await signerView(s.deps, req.params.token);
        return sendPage(reply, receiptPage(req.t, base, view, req.params.token, signerAlternates(here, view.letter)));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return sendPage(reply, receiptInvalidPage(req.t, base, signerAlternates(here)), 404);
      }
    });

    async function download(req: FastifyRequest<TokenParams>) {
      try {
        return await signerReceipt(s.deps, req.params.token);
      } catch (e) {
        if (e instanceof DomainError && e.code === 'TOKEN_INVALID') throw new DomainError('NOT_FOUND', 'Not found');
        throw e;
      }
    }

    f.get<TokenParams>('/:lang/receipts/:token/receipt.tlog-proof', async (req, reply) => {
      const { view, proof } = await download(req);
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="undersigned-${view.letter.slug}-${view.log!.logIndex}.tlog-proof"`)
        .send(proof);
    });

    f.get<TokenParams>('/:lang/receipts/:token/receipt.json', async (req, reply) => {
      const { view, sidecar } = await download(req);
      return reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="undersigned-${view.letter.slug}-${view.log!.logIndex}.json"`)
        .send(JSON.stringify(sidecar, null, 2) + '\n');
    });

    f.get<TokenParams>('/:lang/receipts/:token/verify', async (req, reply) =>
      sendPage(reply, receiptVerifyPage(req.t, base, req.params.token, signerAlternates(`/receipts/${encodeURIComponent(req.params.token)}/verify`))));

    f.get<LangParams>('/:lang/verify', async (req, reply) => sendPage(reply, verifyPage(req.t, base, uiAlternates('/verify'))));
  };
}
