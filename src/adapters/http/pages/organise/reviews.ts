/** /:lang/organise/letters/:slug/reviews[/:id]: possible duplicates of a letter, and the organiser's decisions. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../../../config.ts';
import { DomainError } from '../../../../core/errors.ts';
import { decideReview, listReviews } from '../../../../use-cases/decide-review.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { sameOriginOnly } from '../../kit/cross-origin.ts';
import { organiserOnly } from '../../kit/organiser.ts';
import { sendPage } from '../../kit/page.ts';
import { reviewsPage } from '../../views/organise/reviews.ts';

type G = { Params: { lang: string; slug: string; id?: string }; Querystring: { done?: string }; Body: { decision?: string } | undefined };
type Req = FastifyRequest<G>;

export function reviewRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const signedIn = organiserOnly(s);

    f.get<G>('/:lang/organise/letters/:slug/reviews', { preHandler: signedIn }, async (req: Req, reply) => {
      const { t } = req;
      const views = await listReviews(s.deps, req.params.slug, req.organiser);
      const flash = req.query.done === 'merge' ? t('review.merged') : req.query.done === 'dismiss' ? t('review.dismissed') : req.query.done === 'gone' ? t('desk.review.gone') : undefined;
      return sendPage(reply, reviewsPage(t, base, { me: req.organiser, slug: req.params.slug, csrf: reply.generateCsrf(), views, flash }));
    });

    /** Several reviews at once, the ticked ones: each decided as alone; pairs that left the queue meanwhile are skipped. */
    f.post<{ Params: { lang: string; slug: string }; Body: { decision?: string; ids?: string | string[] } | undefined }>('/:lang/organise/letters/:slug/reviews/bulk', { preHandler: [sameOrigin, f.csrfProtection, signedIn] }, async (req, reply) => {
      const decision = req.body?.decision;
      if (decision !== 'merge' && decision !== 'dismiss') throw new DomainError('VALIDATION_FAILED', 'Unknown decision', [{ field: 'decision', code: 'INVALID_CHOICE' }]);
      const raw = req.body?.ids;
      const ids = (Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((x) => x.split(',')).filter(Boolean).slice(0, 500);
      let gone = false;
      for (const id of ids) {
        try {
          await decideReview(s.deps, req.params.slug, id, decision, req.organiser);
        } catch (e) {
          if (!(e instanceof DomainError) || (e.code !== 'REVIEW_NOT_FOUND' && e.code !== 'VALIDATION_FAILED' && e.code !== 'SIGNATURE_NOT_CONFIRMED')) throw e;
          gone = true;
        }
      }
      return reply.redirect(`/${req.t.lang}/organise/letters/${req.params.slug}/reviews?done=${gone ? 'gone' : decision}`, 303);
    });

    f.post<G>('/:lang/organise/letters/:slug/reviews/:id', { preHandler: [sameOrigin, f.csrfProtection, signedIn] }, async (req: Req, reply) => {
      const decision = req.body?.decision;
      if (decision !== 'merge' && decision !== 'dismiss') throw new DomainError('VALIDATION_FAILED', 'Unknown decision', [{ field: 'decision', code: 'INVALID_CHOICE' }]);
      try {
        await decideReview(s.deps, req.params.slug, req.params.id!, decision, req.organiser);
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'REVIEW_NOT_FOUND') throw e;
        return reply.redirect(`/${req.t.lang}/organise/letters/${req.params.slug}/reviews?done=gone`, 303);
      }
      return reply.redirect(`/${req.t.lang}/organise/letters/${req.params.slug}/reviews?done=${decision}`, 303);
    });
  };
}
