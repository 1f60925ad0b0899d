/**
 * /:lang/organise/letters/:slug/signatures (the organisers' table), POST …/signatures.csv (export; addresses for
 * owners, recorded in the audit trail) and POST …/removals (bulk removal: preview, then confirm with a reason).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../../config.ts';
import { DomainError } from '../../../../core/errors.ts';
import { parseSignatureFilter, type SignatureFilter } from '../../../../core/organisers/signature-filter.ts';
import { exportSignatures } from '../../../../use-cases/export-signatures.ts';
import { signaturesPage as readPage } from '../../../../use-cases/reads/organiser-signatures.ts';
import { removeSignatures } from '../../../../use-cases/remove-signatures.ts';
import { setTitleChecked } from '../../../../use-cases/vet-title.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { sameOriginOnly } from '../../kit/cross-origin.ts';
import { organiserOnly } from '../../kit/organiser.ts';
import { sendPage } from '../../kit/page.ts';
import { signaturesCsv } from '../../api/v1/organise.ts';
import { removalDonePage, removalPreviewPage, signaturesPage } from '../../views/organise/signatures.ts';

type Q = Record<string, string | undefined>;
type G = { Params: { lang: string; slug: string }; Querystring: Q; Body: Q | undefined };
type Req = FastifyRequest<G>;

const titleIn = (letter: { versions: { lang: string; title: string }[]; defaultLang: string }, lang: string) =>
  (letter.versions.find((v) => v.lang === lang) ?? letter.versions.find((v) => v.lang === letter.defaultLang) ?? letter.versions[0])?.title ?? '';

export function signatureTableRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const signedIn = organiserOnly(s);
    const posted = { preHandler: [sameOrigin, f.csrfProtection, signedIn] };

    async function table(req: Req, reply: FastifyReply, raw: Q, status = 200) {
      let filter: SignatureFilter = {};
      let errors: DomainError['fields'] | undefined;
      try {
        filter = parseSignatureFilter(raw);
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'VALIDATION_FAILED') throw e;
        errors = e.fields;
        status = 400;
      }
      const p = await readPage(s.deps, req.params.slug, req.organiser, filter, Number(raw.page ?? 1));
      const showNotable = p.role === 'owner' ? await s.deps.store.desk.showNotable(p.letter.id) : false;
      const view = { me: req.organiser, slug: p.letter.slug, title: titleIn(p.letter, req.t.lang), role: p.role, csrf: reply.generateCsrf(), filter: errors ? { ...raw } as SignatureFilter : filter, rows: p.rows, total: p.total, page: p.page, pages: p.pages, counts: p.counts, undeliverable: p.undeliverable, errors, showNotable, notableSaved: raw.notable === 'saved' };
      return sendPage(reply, signaturesPage(req.t, base, view), status);
    }

    f.get<G>('/:lang/organise/letters/:slug/signatures', { preHandler: signedIn }, async (req: Req, reply) => table(req, reply, req.query));

    f.post<G>('/:lang/organise/letters/:slug/signatures.csv', posted, async (req: Req, reply) => {
      const body = req.body ?? {};
      const emails = body.emails === '1';
      const out = await exportSignatures(s.deps, req.params.slug, req.organiser, parseSignatureFilter(body), { emails, format: 'csv', via: 'web' });
      reply.header('content-disposition', `attachment; filename="${out.slug}-signatures.csv"`);
      reply.header('cache-control', 'no-store');
      return reply.type('text/csv; charset=utf-8').send(signaturesCsv(out.rows, emails, out.owner));
    });

    f.post<G & { Params: { id: string } }>('/:lang/organise/letters/:slug/signatures/:id/title', posted, async (req, reply) => {
      const params = req.params as { lang: string; slug: string; id: string };
      await setTitleChecked(s.deps, params.slug, params.id, req.body?.checked === '1', req.organiser);
      const table = `/${req.t.lang}/organise/letters/${params.slug}/signatures`;
      const back = String(req.body?.back ?? '');
      // back to the same filtered page; only a path of this very table (no open redirect)
      return reply.redirect(back === table || back.startsWith(`${table}?`) ? back : table, 303);
    });

    f.post<G>('/:lang/organise/letters/:slug/removals', posted, async (req: Req, reply) => {
      const body = req.body ?? {};
      const filter = parseSignatureFilter(body);
      const letter = await s.deps.store.letters.bySlug(req.params.slug);
      const title = letter ? titleIn(letter, req.t.lang) : req.params.slug;
      const preview = async (status: number, errors?: DomainError['fields'], changed = false) => {
        const r = await removeSignatures(s.deps, req.params.slug, req.organiser, { filter, reason: 'fraud', dryRun: true });
        return sendPage(reply, removalPreviewPage(req.t, base, { me: req.organiser, slug: req.params.slug, title, csrf: reply.generateCsrf(), filter, count: r.count, sample: r.sample, errors, changed }), status);
      };
      if (body.step !== 'confirm') return preview(200);
      if (!body.reason) return preview(400, [{ field: 'reason', code: 'REQUIRED' }]);
      // The confirmation removes what the preview counted: if the selection grew meanwhile, show it again.
      const check = await removeSignatures(s.deps, req.params.slug, req.organiser, { filter, reason: body.reason, dryRun: true });
      if (String(check.count) !== body.expected) return preview(409, undefined, true);
      const r = await removeSignatures(s.deps, req.params.slug, req.organiser, { filter, reason: body.reason, dryRun: false });
      return sendPage(reply, removalDonePage(req.t, base, { me: req.organiser, slug: req.params.slug, title, count: r.count, skipped: r.skipped, reason: body.reason }));
    });
  };
}
