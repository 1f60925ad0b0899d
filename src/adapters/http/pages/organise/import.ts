/**
 * /:lang/organise/letters/:slug/import: paper and imported signatures for a letter's owners (a CSV upload, preview,
 * confirm, result; use-cases/import-signatures.ts) and POST …/notable (the "notable signatories" option).
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../../config.ts';
import { DomainError } from '../../../../core/errors.ts';
import { ImportRefused, importSignatures } from '../../../../use-cases/import-signatures.ts';
import { setShowNotable } from '../../../../use-cases/letter-settings.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { loadOwnLetter } from '../../../../use-cases/steps/access.ts';
import { IMPORT_BODY_LIMIT } from '../../api/v1/organise.ts';
import { sameOriginOnly } from '../../kit/cross-origin.ts';
import { organiserOnly } from '../../kit/organiser.ts';
import { sendPage } from '../../kit/page.ts';
import { importDonePage, importPage, importPreviewPage } from '../../views/organise/import.ts';

type Body = Record<string, string | Buffer | undefined>;
type G = { Params: { lang: string; slug: string }; Body: Body | undefined };
type Req = FastifyRequest<G>;

const titleIn = (letter: { versions: { lang: string; title: string }[]; defaultLang: string }, lang: string) =>
  (letter.versions.find((v) => v.lang === lang) ?? letter.versions.find((v) => v.lang === letter.defaultLang) ?? letter.versions[0])?.title ?? '';

/** The uploaded file's text: UTF-8 (a byte-order mark is dropped by the parser); invalid bytes refuse the file. */
function fileText(b: string | Buffer | undefined): string | undefined {
  if (b === undefined) return undefined;
  if (typeof b === 'string') return b;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'The file is not UTF-8 text: save it as CSV UTF-8', [{ field: 'file', code: 'INVALID_TYPE' }]);
  }
}

export function importRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const signedIn = organiserOnly(s);
    await f.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: IMPORT_BODY_LIMIT, fieldSize: 2 * IMPORT_BODY_LIMIT, files: 1, fields: 10, parts: 12 } });
    // The confirmation sends the file's text back as a form field (multipart: Persian text is not inflated 3 to 9
    // times by URL-encoding).
    const posted = { bodyLimit: IMPORT_BODY_LIMIT + 64 * 1024, preHandler: [sameOrigin, f.csrfProtection, signedIn] };

    async function view(req: Req, reply: FastifyReply) {
      const letter = await loadOwnLetter(s.deps.store, req.params.slug, req.organiser, 'owner');
      return { me: req.organiser, slug: letter.slug, title: titleIn(letter, req.t.lang), csrf: reply.generateCsrf() };
    }

    f.get<G>('/:lang/organise/letters/:slug/import', { preHandler: signedIn }, async (req: Req, reply) => sendPage(reply, importPage(req.t, base, await view(req, reply))));

    f.post<G>('/:lang/organise/letters/:slug/import', posted, async (req: Req, reply) => {
      const body = req.body ?? {};
      const source = typeof body.source === 'string' ? body.source : '';
      const v = await view(req, reply);
      const csv = fileText(body.step === 'confirm' ? body.csv : body.file);
      if (csv === undefined || csv.trim() === '') {
        return sendPage(reply, importPage(req.t, base, { ...v, source, problems: [{ line: 0, field: '', code: 'NO_ROWS' }] }), 400);
      }
      if (body.step !== 'confirm') {
        const r = await importSignatures(s.deps, req.params.slug, req.organiser, { source, csv, dryRun: true });
        if (r.problems.length) return sendPage(reply, importPage(req.t, base, { ...v, source, problems: r.problems }), 422);
        return sendPage(reply, importPreviewPage(req.t, base, { ...v, result: r, csv }));
      }
      // The confirmation adds what the preview showed: a text that no longer gives that many rows is shown again.
      const check = await importSignatures(s.deps, req.params.slug, req.organiser, { source, csv, dryRun: true });
      if (!check.problems.length && !check.repeatOf && String(check.count) !== String(body.expected ?? '')) {
        return sendPage(reply, importPreviewPage(req.t, base, { ...v, result: check, csv }), 409);
      }
      try {
        const r = await importSignatures(s.deps, req.params.slug, req.organiser, { source, csv, dryRun: false });
        return sendPage(reply, importDonePage(req.t, base, { ...v, count: r.count, duplicates: r.duplicates }));
      } catch (e) {
        if (e instanceof ImportRefused) return sendPage(reply, importPage(req.t, base, { ...v, source, problems: e.problems }), 422);
        if (e instanceof DomainError && e.code === 'ALREADY_IMPORTED') return sendPage(reply, importPage(req.t, base, { ...v, source, message: req.t('error.ALREADY_IMPORTED') }), 409);
        throw e;
      }
    });

    f.post<G>('/:lang/organise/letters/:slug/notable', { preHandler: [sameOrigin, f.csrfProtection, signedIn] }, async (req: Req, reply) => {
      await setShowNotable(s.deps, req.params.slug, req.organiser, req.body?.show === '1');
      return reply.redirect(`/${req.t.lang}/organise/letters/${req.params.slug}/signatures?notable=saved`, 303);
    });
  };
}
