/**
 * GET /letters/:slug/replies/:id.pdf: the addressee's reply as the PDF an owner uploaded. Its SHA-256 is in the
 * reply's `reply` log entry and in the API letter's `replies[].pdfSha256`. Immutable: cached for a day.
 */
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../../core/errors.ts';
import type { Services } from '../../../use-cases/services.ts';

export function replyRoutes(s: Services) {
  return async (f: FastifyInstance) => {
    f.get<{ Params: { slug: string; id: string } }>('/letters/:slug/replies/:id.pdf', async (req, reply) => {
      const letter = await s.reads.bySlug(req.params.slug);
      if (!letter || letter.state === 'draft') throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      const pdf = req.params.id.length <= 100 ? await s.deps.store.updates.replyPdf(letter.id, req.params.id) : undefined;
      if (!pdf) throw new DomainError('REPLY_NOT_FOUND', 'This letter has no reply with this PDF');
      return reply
        .type('application/pdf')
        .header('cache-control', 'public, max-age=86400, immutable')
        .header('content-disposition', `inline; filename="${letter.slug}-reply.pdf"`)
        .send(Buffer.from(pdf));
    });
  };
}
