/** GET /api/v1/letters, /letters/:slug and /letters/:slug/stats: the public letters, served from the public reads. */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../../use-cases/services.ts';
import { Bodies, sendBody } from '../../cache/bodies.ts';
import { latestDeliveries } from '../../cache/deliveries.ts';
import { latestReplies } from '../../cache/replies.ts';
import { publicLetter, summary, versionOf } from './presenters.ts';
import { errorSchema, letterSummary, removalsSchema, versionSchema } from './schemas.ts';

export function letterApi(s: Services) {
  return async (f: FastifyInstance) => {
    const delivery = latestDeliveries(s);
    const replies = latestReplies(s);
    // Serialised bodies of the public reads (cache/bodies.ts), one per letter.
    const letterBodies = new Bodies(1000);
    const statsBodies = new Bodies(1000);

    f.get('/letters', {
      schema: { tags: ['letters'], summary: 'Open and closed letters', response: { 200: { type: 'object', properties: { letters: { type: 'array', items: letterSummary } } } } },
    }, async (_req, reply) => {
      const letters = [];
      for (const l of await s.reads.publishedLetters()) letters.push(await summary(s, l));
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
              held: { type: 'integer', description: 'Confirmed signatures waiting for an organiser\'s check (held as possibly automated): not in count until released, as the letter\'s page says' },
              textVersion: { type: 'integer' },
              versions: { type: 'array', items: { type: 'object', properties: { ...versionSchema.properties, textHash: { type: 'string', description: 'Base64 SHA-256 of the canonical text (docs/transparency-log.md), as logged in a `letter` entry' } } } },
              log: { type: 'object', properties: { letter: { type: 'string', description: 'The letter id in log entries' }, origin: { type: 'string' } } },
              removals: removalsSchema,
              delivery: {
                type: 'object',
                nullable: true,
                description: 'The latest delivery of the letter\'s PDF to its addressees (null before the first); the log\'s `delivery` entry carries the same SHA-256 and tree size',
                properties: {
                  targets: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, title: { type: 'string', nullable: true }, status: { type: 'string', enum: ['queued', 'sent', 'failed', 'bounced'] }, deliveredAt: { type: 'string', format: 'date-time', nullable: true } } } },
                  pdfSha256: { type: 'string', description: 'Base64 SHA-256 of the PDF mailed' },
                  treeSize: { type: 'integer', description: 'The log tree size the PDF shows' },
                  createdAt: { type: 'string', format: 'date-time' },
                },
              },
              replies: {
                type: 'array',
                description: "The addressee's replies, newest first; each is a `reply` entry in the transparency log carrying textSha256 and the PDF's SHA-256 (of nothing without a PDF)",
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' }, receivedOn: { type: 'string', format: 'date' },
                    texts: { type: 'array', items: { type: 'object', properties: { lang: { type: 'string' }, body: { type: 'string', description: 'Markdown, as recorded' } } } },
                    textSha256: { type: 'string', description: 'Base64 SHA-256 of the canonical text (docs/transparency-log.md)' },
                    pdfSha256: { type: 'string', nullable: true }, pdfUrl: { type: 'string', nullable: true }, createdAt: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
          404: errorSchema,
        },
      },
    }, async (req, reply) => {
      const letter = await publicLetter(s, req.params.slug);
      const count = await s.reads.count(letter.id);
      const removals = await s.reads.removals(letter.slug);
      const delivered = await delivery(letter.id);
      const replied = await replies(letter.id, letter.slug);
      const split = await s.reads.countSplit(letter.id);
      const held = await s.reads.held(letter.id);
      reply.header('cache-control', 'public, max-age=2, stale-while-revalidate=4');
      const body = await letterBodies.get(letter.id, [letter, count, removals, delivered, replied, split, held], async () =>
        reply.serialize({
          ...(await summary(s, letter)),
          count,
          held,
          textVersion: letter.textVersion,
          versions: letter.versions.map((v) => versionOf(s, v)),
          log: { letter: letter.slug, origin: s.log.origin },
          removals,
          delivery: delivered,
          replies: replied,
        }),
      );
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
      const letter = await publicLetter(s, req.params.slug);
      const st = await s.reads.stats(letter.id);
      reply.header('cache-control', 'public, max-age=2, stale-while-revalidate=4');
      const body = await statsBodies.get(letter.id, [st], () => reply.serialize({ count: st.count, byCountry: st.byCountry, hourly: st.hourly }));
      return sendBody(req, reply, body);
    });
  };
}
