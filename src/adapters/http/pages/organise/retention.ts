/** /:lang/organise/letters/:slug/log: a letter's personal-data retention (the log keeps entries; personal data can go). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../../config.ts';
import { DomainError } from '../../../../core/errors.ts';
import { setRetention } from '../../../../use-cases/erase.ts';
import { retentionOf } from '../../../../use-cases/reads/organiser-views.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { sameOriginOnly } from '../../kit/cross-origin.ts';
import { organiserOnly } from '../../kit/organiser.ts';
import { sendPage } from '../../kit/page.ts';
import { retentionPage } from '../../views/organise/retention.ts';

type G = { Params: { lang: string; slug: string }; Querystring: { saved?: string }; Body: { retentionDays?: string } | undefined };
type Req = FastifyRequest<G>;

/** The typed period: blank is "kept while the letter lives"; anything but a whole number fails validation. */
const parseDays = (raw: string): number | undefined => (raw === '' ? undefined : /^\d{1,6}$/.test(raw) ? Number(raw) : NaN);

export function retentionRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    // The organiser area keeps its per-session CSRF tokens in addition to the cross-origin check (ADR 0003).
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const signedIn = organiserOnly(s);

    async function render(req: Req, reply: FastifyReply, status = 200, error?: DomainError) {
      const { letter, days, removals } = await retentionOf(s.deps, req.params.slug, req.organiser);
      const value = error ? String(req.body?.retentionDays ?? '') : days === undefined ? '' : String(days);
      const page = retentionPage(req.t, base, { me: req.organiser, slug: letter.slug, csrf: reply.generateCsrf(), value, removals, saved: Boolean(req.query.saved), errors: error?.fields });
      return sendPage(reply, page, status);
    }

    f.get<G>('/:lang/organise/letters/:slug/log', { preHandler: signedIn }, async (req: Req, reply) => render(req, reply));

    f.post<G>('/:lang/organise/letters/:slug/log', { preHandler: [sameOrigin, f.csrfProtection, signedIn] }, async (req: Req, reply) => {
      try {
        await setRetention(s.deps, req.params.slug, parseDays(String(req.body?.retentionDays ?? '').trim()), req.organiser);
      } catch (e) {
        if (e instanceof DomainError && e.code === 'VALIDATION_FAILED') return render(req, reply, 400, e);
        throw e;
      }
      return reply.redirect(`/${req.t.lang}/organise/letters/${req.params.slug}/log?saved=1`, 303);
    });
  };
}
