/** JSON API v1. Public fields only: emails are accepted when signing and never returned. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../../../main.ts';
import { DomainError } from '../../../../core/errors.ts';
import type { LetterWithText } from '../../../../core/model.ts';
import { sign } from '../../../../use-cases/sign.ts';
import { confirm } from '../../../../use-cases/confirm.ts';
import { SIGN_BODY_LIMIT } from '../../app.ts';
import { canonicalText } from '../../../../core/letters/canonical.ts';
import { letterTextHash, toBase64 } from '../../../../core/log/index.ts';
import { nodeLogCrypto } from '../../../crypto/node-crypto.ts';
import { receiptUrl } from '../../../../use-cases/receipts.ts';
import { Bodies, sendBody } from './bodies.ts';

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Stable error code (docs/errors.md)' },
        message: { type: 'string' },
        fields: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, limit: { type: 'integer' } } } },
      },
    },
  },
} as const;

const versionSchema = {
  type: 'object',
  properties: { lang: { type: 'string' }, title: { type: 'string' }, body: { type: 'string', description: 'Markdown' }, statement: { type: 'string', nullable: true } },
} as const;

const letterSummary = {
  type: 'object',
  properties: {
    slug: { type: 'string' },
    state: { type: 'string', enum: ['open', 'closed'] },
    defaultLang: { type: 'string' },
    languages: { type: 'array', items: { type: 'string' } },
    title: { type: 'string', description: 'Title in the default language' },
    addressee: { type: 'object', properties: { name: { type: 'string' }, title: { type: 'string', nullable: true } } },
    goal: { type: 'integer', nullable: true },
    count: { type: 'integer', description: 'Confirmed signatures (public and hidden)' },
    imported: { type: 'boolean' },
    urls: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

const publicSignature = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    nameAlt: { type: 'string', nullable: true },
    title: { type: 'string', nullable: true },
    country: { type: 'string', nullable: true, description: 'ISO 3166-1 alpha-2' },
    confirmedAt: { type: 'string', format: 'date-time' },
    logIndex: { type: 'integer', nullable: true, description: 'Index of this signature\'s `sig` entry in the transparency log (null until sequenced, about a second)' },
    opening: { type: 'string', nullable: true, description: 'Base64 32-byte opening of the entry\'s `name` commitment: HMAC-SHA256("undersigned/commit/v1", opening || "name" || 0x00 || UTF-8(NFC(name))); null once erased' },
    erased: { type: 'boolean', description: 'The signer\'s personal data was erased: the entry still counts, the name is gone' },
  },
} as const;

const removalsSchema = {
  type: 'object',
  description: 'Signatures cancelled in the transparency log: by the signers themselves, and by organisers per public reason',
  properties: {
    withdrawn: { type: 'integer' },
    removed: { type: 'object', properties: { signer: { type: 'integer' }, duplicate: { type: 'integer' }, fraud: { type: 'integer' }, legal: { type: 'integer' } } },
  },
} as const;

type SlugReq = FastifyRequest<{ Params: { slug: string }; Querystring: { lang?: string; page?: string } }>;

function requireJson(req: FastifyRequest): void {
  const ct = String(req.headers['content-type'] ?? '');
  // Threat: a cross-site form posting to the API. Browsers cannot send application/json cross-origin without a preflight.
  if (!/^application\/json\b/i.test(ct)) throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send a JSON body with Content-Type: application/json');
}

export function apiRoutes(app: App) {
  return async (f: FastifyInstance) => {
    const base = app.config.baseUrl;

    async function publicLetter(slug: string): Promise<LetterWithText> {
      const letter = await app.reads.bySlug(slug);
      if (!letter || letter.state === 'draft') throw new DomainError('LETTER_NOT_FOUND', `No letter at /${slug}`);
      return letter;
    }

    // Serialised bodies of the public reads (bodies.ts). One per letter for the letter and its stats; list pages one
    // per (letter, language, page) up to 1,000 (~25 kB each: ~25 MB at most), also rebuilt after a second so that
    // log indexes assigned meanwhile show.
    const letterBodies = new Bodies(1000);
    const statsBodies = new Bodies(1000);
    const listBodies = new Bodies(1000, 1000);

    async function summary(letter: LetterWithText) {
      const def = letter.versions.find((v) => v.lang === letter.defaultLang) ?? letter.versions[0]!;
      return {
        slug: letter.slug,
        state: letter.state,
        defaultLang: letter.defaultLang,
        languages: letter.versions.map((v) => v.lang),
        title: def.title,
        addressee: { name: letter.addressee.name, title: letter.addressee.title ?? null },
        goal: letter.goal ?? null,
        count: await app.reads.count(letter.id),
        imported: letter.imported,
        urls: Object.fromEntries(letter.versions.map((v) => [v.lang, `${base}/${v.lang}/letters/${letter.slug}`])),
      };
    }

    f.addHook('onSend', async (_req, reply, payload) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      return payload;
    });

    f.get('/letters', {
      schema: { tags: ['letters'], summary: 'Open and closed letters', response: { 200: { type: 'object', properties: { letters: { type: 'array', items: letterSummary } } } } },
    }, async (_req, reply) => {
      const rows = (await app.store.letters.list()).filter((l) => l.state !== 'draft');
      const letters = [];
      for (const l of rows) {
        const full = await app.store.letters.byId(l.id);
        if (full) letters.push(await summary(full));
      }
      reply.header('cache-control', 'public, max-age=5');
      return { letters };
    });

    f.get<{ Params: { slug: string }; Querystring: { lang?: string; page?: string } }>('/letters/:slug', {
      schema: {
        tags: ['letters'],
        summary: 'One letter: its versions, state and count',
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              ...letterSummary.properties,
              textVersion: { type: 'integer' },
              versions: { type: 'array', items: { type: 'object', properties: { ...versionSchema.properties, textHash: { type: 'string', description: 'Base64 SHA-256 of the canonical text (docs/transparency-log.md), as logged in a `letter` entry' } } } },
              log: { type: 'object', properties: { letter: { type: 'string', description: 'The letter id in log entries' }, origin: { type: 'string' } } },
              removals: removalsSchema,
            },
          },
          404: errorSchema,
        },
      },
    }, async (req, reply) => {
      const letter = await publicLetter(req.params.slug);
      const count = await app.reads.count(letter.id);
      const removals = await app.reads.removals(letter.slug);
      reply.header('cache-control', 'public, max-age=2, stale-while-revalidate=4');
      const body = await letterBodies.get(letter.id, [letter, count, removals], async () =>
        reply.serialize({
          ...(await summary(letter)),
          count,
          textVersion: letter.textVersion,
          versions: letter.versions.map((v) => ({ ...v, statement: v.statement ?? null, textHash: toBase64(letterTextHash(nodeLogCrypto, canonicalText(v))) })),
          log: { letter: letter.slug, origin: app.log.origin },
          removals,
        }),
      );
      return sendBody(req, reply, body);
    });

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
      const letter = await publicLetter(req.params.slug);
      const lang = req.query.lang && letter.versions.some((v) => v.lang === req.query.lang) ? req.query.lang : letter.defaultLang;
      const page = await app.reads.page(letter.id, lang, Number(req.query.page ?? 1));
      const count = await app.reads.count(letter.id);
      reply.header('cache-control', 'public, max-age=2, stale-while-revalidate=4');
      const body = await listBodies.get(`${letter.id}\u0000${lang}\u0000${page.page}`, [page.version, count], async () => {
        // Log index and name opening of each listed signature: anyone can recompute its commitment (audit).
        const logs = await app.store.log.signatureLogs(page.items.map((s) => s.id));
        const items = page.items.map((s) => {
          const l = logs.get(s.id);
          return {
            ...s, nameAlt: s.nameAlt ?? null, title: s.title ?? null, country: s.country ?? null,
            logIndex: l?.logIndex ?? null,
            opening: l?.nameOpening ? Buffer.from(l.nameOpening).toString('base64') : null,
            erased: Boolean(l?.erasedAt),
          };
        });
        return reply.serialize({ items, page: page.page, pages: page.pages, total: page.total, count, lang });
      });
      return sendBody(req, reply, body);
    });

    f.get<{ Params: { slug: string } }>('/letters/:slug/stats', {
      schema: {
        tags: ['letters'],
        summary: 'Confirmed signatures (public and hidden) in total, per country and per hour of confirmation',
        params: { type: 'object', properties: { slug: { type: 'string' } } },
        response: {
          200: {
            type: 'object',
            properties: {
              count: { type: 'integer' },
              byCountry: { type: 'object', additionalProperties: { type: 'integer' }, description: 'ISO 3166-1 alpha-2 → count; "" for signatures without a country' },
              hourly: { type: 'array', items: { type: 'object', properties: { hour: { type: 'string', format: 'date-time' }, count: { type: 'integer' } } } },
            },
          },
          404: errorSchema,
        },
      },
    }, async (req, reply) => {
      const letter = await publicLetter(req.params.slug);
      const st = await app.reads.stats(letter.id);
      reply.header('cache-control', 'public, max-age=2, stale-while-revalidate=4');
      const body = await statsBodies.get(letter.id, [st], () => reply.serialize({ count: st.count, byCountry: st.byCountry, hourly: st.hourly }));
      return sendBody(req, reply, body);
    });

    f.post<{ Params: { slug: string }; Body: Record<string, unknown> }>('/letters/:slug/signatures', {
      bodyLimit: SIGN_BODY_LIMIT,
      config: { rateLimit: app.config.rateLimitPerMinute ? { max: app.config.rateLimitPerMinute, timeWindow: 60_000 } : false },
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
          },
        },
        response: { 202: { type: 'object', properties: { status: { type: 'string', enum: ['pending'] } } }, 400: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 415: errorSchema, 429: errorSchema, 503: errorSchema },
      },
      preValidation: async (req) => requireJson(req),
    }, async (req, reply) => {
      const result = await sign(app.deps, req.params.slug, req.body);
      app.worker.poke();
      return reply.code(202).send(result);
    });

    f.post<{ Body: { token: string } }>('/confirmations', {
      bodyLimit: SIGN_BODY_LIMIT,
      schema: {
        tags: ['signatures'],
        summary: 'Confirm a signature with the token from the emailed link',
        body: { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 200 } } },
        response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['confirmed'] }, letter: { type: 'string' }, count: { type: 'integer' }, receipt: { type: 'string', description: 'Private page of the signer\'s log receipt (keep it: it is the only copy of the link)' } } }, 400: errorSchema, 409: errorSchema, 410: errorSchema },
      },
      preValidation: async (req) => requireJson(req),
    }, async (req) => {
      const { letter, signature, receiptToken } = await confirm(app.deps, req.body.token);
      app.reads.invalidate(letter.id);
      app.sequencer.poke();
      return { status: 'confirmed', letter: letter.slug, count: await app.reads.count(letter.id), ...(receiptToken ? { receipt: receiptUrl(app.deps, signature.lang, receiptToken) } : {}) };
    });
  };
}
