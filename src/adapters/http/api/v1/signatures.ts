/** GET /api/v1/letters/:slug/signatures (the public list) and POST (sign). */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../../config.ts';
import { sign } from '../../../../use-cases/sign.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { Bodies, sendBody } from '../../cache/bodies.ts';
import { SIGN_BODY_LIMIT } from '../../kit/limits.ts';
import { publicLetter, requireJson } from './presenters.ts';
import { errorSchema, publicSignature } from './schemas.ts';

export function signatureApi(s: Services, _config: Config) {
  return async (f: FastifyInstance) => {
    // List pages one per (letter, language, page) up to 1,000 (~25 kB each: ~25 MB at most), also rebuilt after a
    // second so that log indexes assigned meanwhile show.
    const listBodies = new Bodies(1000, 1000);

    f.get<{ Params: { slug: string }; Querystring: { lang?: string; page?: string } }>('/letters/:slug/signatures', {
      schema: {
        tags: ['signatures'],
        summary: 'The public list, sorted as the language sorts (100 a page)',
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        querystring: { type: 'object', properties: { lang: { type: 'string', maxLength: 35 }, page: { type: 'string', pattern: '^[0-9]{1,9}$' } } },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: publicSignature }, page: { type: 'integer' }, pages: { type: 'integer' }, total: { type: 'integer', description: 'Public signatures' }, count: { type: 'integer', description: 'All confirmed signatures' }, lang: { type: 'string' } } },
          400: errorSchema,
          404: errorSchema,
        },
      },
    }, async (req, reply) => {
      const letter = await publicLetter(s, req.params.slug);
      const lang = req.query.lang && letter.versions.some((v) => v.lang === req.query.lang) ? req.query.lang : letter.defaultLang;
      const page = await s.reads.page(letter.id, lang, Number(req.query.page ?? 1));
      const count = await s.reads.count(letter.id);
      reply.header('cache-control', 'public, max-age=2, stale-while-revalidate=4');
      const body = await listBodies.get(`${letter.id}\u0000${lang}\u0000${page.page}`, [page.version, count], async () => {
        // Log index and name opening of each listed signature: anyone can recompute its commitment (audit).
        const logs = await s.reads.signatureLogs(page.items.map((x) => x.id));
        const items = page.items.map((x) => {
          const l = logs.get(x.id);
          return {
            ...x, nameAlt: x.nameAlt ?? null, title: x.title ?? null, country: x.country ?? null,
            titleChecked: Boolean(x.title && x.titleChecked),
            logIndex: l?.logIndex ?? null,
            opening: l?.nameOpening ? Buffer.from(l.nameOpening).toString('base64') : null,
            erased: Boolean(l?.erasedAt),
          };
        });
        return reply.serialize({ items, page: page.page, pages: page.pages, total: page.total, count, lang });
      });
      return sendBody(req, reply, body);
    });

    f.post<{ Params: { slug: string }; Body: Record<string, unknown> }>('/letters/:slug/signatures', {
      bodyLimit: SIGN_BODY_LIMIT,
      schema: {
        tags: ['signatures'],
        summary: 'Sign: a confirmation link is mailed; the same email on the same letter is one signature (signing again resends)',
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        body: {
          type: 'object',
          required: ['name', 'email'],
          properties: {
            name: { type: 'string' },
            nameAlt: { type: 'string' },
            title: { type: 'string' },
            country: { type: 'string', description: 'ISO 3166-1 alpha-2' },
            email: { type: 'string', description: 'Private: never shown or returned' },
            visibility: { type: 'string', enum: ['public', 'hidden'] },
            lang: { type: 'string' },
            consentUpdates: { type: 'boolean' },
            altcha: { description: 'A solved proof-of-work challenge (GET /api/v1/challenge): the widget\'s base64 payload, or {challenge, solution}. Without a valid, unused one the signature is held for a check (still mailed and confirmable)' },
          },
        },
        response: { 202: { type: 'object', properties: { status: { type: 'string', enum: ['pending'] }, held: { type: 'boolean', description: 'True when the signature will wait for an organiser\'s check after confirmation before it counts (no proof of work, over a limit, a disposable address)' }, mailDelayed: { type: 'boolean', description: 'True while many mails wait to go out: the confirmation mail may take a few minutes (the signature is stored)' } } }, 400: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 415: errorSchema, 429: errorSchema, 503: errorSchema },
      },
      // One limit per client for signing, shared with the sign form (kit/limits.ts); then the content type.
      preValidation: [f.signingLimit, async (req) => requireJson(req)],
    }, async (req, reply) => {
      const screening = await f.screen.screen({ ip: req.ip, slug: req.params.slug, body: req.body });
      // Only a stored signing counts towards the screen's limits (a post that fails validation does not).
      const result = await sign(s.deps, req.params.slug, req.body, { hold: screening.hold, source: screening.source }).catch((e: unknown) => {
        screening.notStored();
        throw e;
      });
      return reply.code(202).send({ ...result, mailDelayed: s.health.mailDelayed() });
    });
  };
}
