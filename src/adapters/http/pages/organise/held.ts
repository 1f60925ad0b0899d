/**
 * /:lang/organise/letters/:slug/held: signings by source and the held queue (GET), and releasing or removing a whole
 * source (POST: a preview first, then the confirmation with the count it showed; use-cases/decide-held.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../../../config.ts';
import { DomainError } from '../../../../core/errors.ts';
import { decideHeld, type HeldRequest } from '../../../../use-cases/decide-held.ts';
import { heldView, SOURCE_KINDS } from '../../../../use-cases/reads/held-sources.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { sameOriginOnly } from '../../kit/cross-origin.ts';
import { organiserOnly } from '../../kit/organiser.ts';
import { sendPage } from '../../kit/page.ts';
import { heldDonePage, heldPage, heldPreviewPage } from '../../views/organise/held.ts';

type Q = Record<string, string | undefined>;
type G = { Params: { lang: string; slug: string }; Body: Q | undefined };

const titleIn = (letter: { versions: { lang: string; title: string }[]; defaultLang: string }, lang: string) =>
  (letter.versions.find((v) => v.lang === lang) ?? letter.versions.find((v) => v.lang === letter.defaultLang) ?? letter.versions[0])?.title ?? '';

export function heldRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const signedIn = organiserOnly(s);

    f.get<G>('/:lang/organise/letters/:slug/held', { preHandler: signedIn }, async (req: FastifyRequest<G>, reply) => {
      const view = await heldView(s.deps, req.params.slug, req.organiser);
      return sendPage(reply, heldPage(req.t, base, { me: req.organiser, slug: view.letter.slug, title: titleIn(view.letter, req.t.lang), csrf: reply.generateCsrf(), view }));
    });

    f.post<G>('/:lang/organise/letters/:slug/held', { preHandler: [sameOrigin, f.csrfProtection, signedIn] }, async (req: FastifyRequest<G>, reply) => {
      const body = req.body ?? {};
      const kind = String(body.kind ?? '');
      if (!(SOURCE_KINDS as readonly string[]).includes(kind)) throw new DomainError('VALIDATION_FAILED', 'Choose a source', [{ field: 'kind', code: 'INVALID_CHOICE' }]);
      const value = String(body.value ?? '');
      const decision = body.decision === 'remove' ? 'remove' : body.decision === 'release' ? 'release' : undefined;
      if (!decision) throw new DomainError('VALIDATION_FAILED', 'Choose release or remove', [{ field: 'decision', code: 'INVALID_CHOICE' }]);
      const which: Pick<HeldRequest, 'source' | 'domain' | 'country'> = kind === 'prefix' ? { source: value } : kind === 'domain' ? { domain: value } : { country: value };
      const letter = await s.deps.store.letters.bySlug(req.params.slug);
      const title = letter ? titleIn(letter, req.t.lang) : req.params.slug;
      const preview = async (status: number, errors?: DomainError['fields'], changed = false) => {
        const result = await decideHeld(s.deps, req.params.slug, req.organiser, { ...which, decision, reason: 'fraud', dryRun: true });
        return sendPage(reply, heldPreviewPage(req.t, base, { me: req.organiser, slug: req.params.slug, title, csrf: reply.generateCsrf(), kind, value, result, errors, changed }), status);
      };
      if (body.step !== 'confirm') return preview(200);
      if (decision === 'remove' && !body.reason) return preview(400, [{ field: 'reason', code: 'REQUIRED' }]);
      // The confirmation acts on what the preview counted: if the source grew meanwhile, show it again.
      const check = await decideHeld(s.deps, req.params.slug, req.organiser, { ...which, decision, reason: body.reason ?? 'fraud', dryRun: true });
      if (String(check.count) !== body.expected) return preview(409, undefined, true);
      const result = await decideHeld(s.deps, req.params.slug, req.organiser, { ...which, decision, reason: body.reason, dryRun: false });
      return sendPage(reply, heldDonePage(req.t, base, { me: req.organiser, slug: req.params.slug, result }));
    });
  };
}
