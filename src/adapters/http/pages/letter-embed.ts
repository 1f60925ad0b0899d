/**
 * What other sites may show: GET /:lang/letters/:slug/embed (a small page that may be framed anywhere: the only
 * route whose CSP allows framing) and GET /letters/:slug/badge.svg[?lang=…] (the count as an SVG badge, loadable as an
 * image from any site). Both are drawn once per change of what they show and sent as the same bytes with a strong
 * ETag and the letter page's shared caching.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../core/errors.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import type { Services } from '../../../use-cases/services.ts';
import { translator } from '../../i18n/index.ts';
import { fingerprint, PUBLIC_PAGE_CACHE } from '../cache/letter-pages.ts';
import { Representation, sendRepresentation } from '../cache/representations.ts';
import type { LangSlugParams } from '../kit/lang.ts';
import { badgeSvg, embedDocument } from '../views/embed.ts';

/** The embed page's own policy: framed by any site, loads only our stylesheet and fonts, runs nothing. */
const EMBED_CSP = "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors *";
const BADGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors *";

/** Drawn bodies per key while their inputs are unchanged; bounded (emptied when full). */
class Drawn {
  private readonly kept = new Map<string, { inputs: string; rep: Promise<Representation> }>();
  get(key: string, inputs: string, draw: () => Promise<Representation>): Promise<Representation> {
    const hit = this.kept.get(key);
    if (hit && hit.inputs === inputs) return hit.rep;
    const rep = draw();
    rep.catch(() => this.kept.delete(key));
    if (this.kept.size >= 2000) this.kept.clear();
    this.kept.set(key, { inputs, rep });
    return rep;
  }
}

/** Other sites may show it: in a frame (embed), as an image (badge). */
function shareable(reply: FastifyReply, csp: string): void {
  reply.header('content-security-policy', csp).header('cross-origin-resource-policy', 'cross-origin');
  reply.removeHeader('x-frame-options');
}

export function letterEmbedRoutes(s: Services) {
  return async (f: FastifyInstance) => {
    const drawn = new Drawn();
    async function published(slug: string) {
      const letter = await s.reads.bySlug(slug);
      if (!letter || letter.state === 'draft') throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      return letter;
    }

    f.get<LangSlugParams>('/:lang/letters/:slug/embed', async (req, reply) => {
      const letter = await published(req.params.slug);
      const version = versionFor(letter, req.t.lang);
      if (!version) throw new DomainError('LANGUAGE_NOT_AVAILABLE', `The letter has no version in ${req.t.lang}`);
      const count = await s.reads.count(letter.id);
      const split = await s.reads.countSplit(letter.id);
      const rep = await drawn.get(`e\u0000${letter.id}\u0000${version.lang}`, `${fingerprint(letter)}.${count}.${fingerprint(split)}`, () =>
        Representation.build(embedDocument(req.t, s.deps.baseUrl, letter, version, count, split), { contentType: 'text/html; charset=utf-8', cacheControl: PUBLIC_PAGE_CACHE, effort: 'fast' }));
      shareable(reply, EMBED_CSP);
      return sendRepresentation(req, reply, rep);
    });

    f.get<{ Params: { slug: string }; Querystring: { lang?: string } }>('/letters/:slug/badge.svg', async (req: FastifyRequest<{ Params: { slug: string }; Querystring: { lang?: string } }>, reply) => {
      const letter = await published(req.params.slug);
      const asked = typeof req.query.lang === 'string' ? req.query.lang : undefined;
      const lang = asked && versionFor(letter, asked) ? asked : letter.defaultLang;
      const count = await s.reads.count(letter.id);
      const split = await s.reads.countSplit(letter.id);
      const rep = await drawn.get(`b\u0000${letter.id}\u0000${lang}`, `${count}.${split.paper}.${split.imported}`, () =>
        Representation.build(badgeSvg(translator(lang), count, split), { contentType: 'image/svg+xml; charset=utf-8', cacheControl: PUBLIC_PAGE_CACHE, effort: 'fast' }));
      shareable(reply, BADGE_CSP);
      return sendRepresentation(req, reply, rep);
    });
  };
}
