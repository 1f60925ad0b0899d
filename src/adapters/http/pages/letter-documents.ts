/**
 * A letter's documents: GET /:lang/letters/:slug.pdf (that language) and GET /letters/:slug.pdf (every version, in
 * the letter's order); GET /:lang/letters/:slug/card.png (the share card); GET /:lang/letters/:slug/share/mastodon
 * (to the sharer's own Mastodon instance, with the letter's text). Drawn once per data version (letter-documents.ts), shared by every request, with a strong ETag;
 * the tree size and root hash of the checkpoint the PDF shows are in its headers too.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../core/errors.ts';
import type { Services } from '../../../use-cases/services.ts';
import type { Drawn } from '../cache/documents.ts';
import type { LetterDocuments, LetterPdf } from '../letter-documents.ts';
import type { LangSlugParams } from '../kit/lang.ts';
import { mastodonHost, shareLinks } from '../views/share.ts';
import { versionFor } from '../../../core/letters/letter.ts';

/** Shared caches may keep a document a minute; browsers revalidate it (an ETag makes that a 304). */
export const DOCUMENT_CACHE = 'public, max-age=0, s-maxage=60, stale-while-revalidate=300';

/** Sends drawn bytes with their ETag, or 304 when the request already has them. */
export function sendDrawn(req: FastifyRequest, reply: FastifyReply, d: Drawn, type: string) {
  reply.header('etag', d.etag).header('cache-control', DOCUMENT_CACHE);
  const inm = req.headers['if-none-match'];
  if (inm?.split(',').some((t) => t.trim() === d.etag || t.trim() === `W/${d.etag}`)) return reply.code(304).send();
  return reply.type(type).send(d.bytes);
}

export function letterDocumentRoutes(s: Services, docs: LetterDocuments) {
  return async (f: FastifyInstance) => {
    async function published(slug: string) {
      const letter = await s.reads.bySlug(slug);
      if (!letter || letter.state === 'draft') throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      return letter;
    }

    function sendPdf(req: FastifyRequest, reply: FastifyReply, pdf: LetterPdf, name: string) {
      reply.header('content-disposition', `inline; filename="${name}.pdf"`);
      reply.header('x-log-tree-size', String(pdf.meta.treeSize));
      if (pdf.meta.rootHash) reply.header('x-log-root-hash', pdf.meta.rootHash);
      return sendDrawn(req, reply, pdf, 'application/pdf');
    }

    f.get<LangSlugParams>('/:lang/letters/:slug.pdf', async (req, reply) => {
      const letter = await published(req.params.slug);
      return sendPdf(req, reply, await docs.pdf(letter, req.t.lang), `${letter.slug}-${req.t.lang}`);
    });

    f.get<{ Params: { slug: string } }>('/letters/:slug.pdf', async (req, reply) => {
      const letter = await published(req.params.slug);
      return sendPdf(req, reply, await docs.pdf(letter), letter.slug);
    });

    f.get<LangSlugParams>('/:lang/letters/:slug/card.png', async (req, reply) => {
      const letter = await published(req.params.slug);
      return sendDrawn(req, reply, await docs.card(letter, req.t.lang), 'image/png');
    });

    // The instance is typed by the sharer; only a host name is accepted, and only its /share page is opened.
    f.get<LangSlugParams & { Querystring: { instance?: string } }>('/:lang/letters/:slug/share/mastodon', async (req, reply) => {
      const letter = await published(req.params.slug);
      const version = versionFor(letter, req.t.lang);
      if (!version) throw new DomainError('LANGUAGE_NOT_AVAILABLE', `The letter has no version in ${req.t.lang}`);
      const host = mastodonHost(String(req.query.instance ?? ''));
      if (!host) throw new DomainError('VALIDATION_FAILED', 'Type your Mastodon server, such as mastodon.social', [{ field: 'instance', code: 'INVALID_CHOICE' }]);
      const count = await s.reads.count(letter.id);
      const text = `${req.t('share.text', { title: version.title, count })} ${shareLinks(req.t, s.deps.baseUrl, letter, version, count).url}`;
      return reply.header('cache-control', 'no-store').redirect(`https://${host}/share?text=${encodeURIComponent(text)}`, 303);
    });
  };
}
