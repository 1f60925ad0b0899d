/**
 * The page language. Every page route starts with /:lang; the hook below checks it once (an unknown tag is a 404)
 * and gives the handler `req.t`, the translator of that language.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../../../core/errors.ts';
import { isLangTag } from '../../../core/letters/letter.ts';
import { translator, UI_LANGS, type T } from '../../i18n/index.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The translator of the route's :lang (set by langHook on routes that have one). */
    t: T;
  }
}

/** The route params of a page under /:lang, and of one letter's pages. */
export type LangParams = { Params: { lang: string } };
export type LangSlugParams = { Params: { lang: string; slug: string } };

/** Registers the :lang check on every route of `f` that has the parameter. */
export function langHook(f: FastifyInstance): void {
  f.decorateRequest('t', null as unknown as T);
  f.addHook('onRequest', async (req) => {
    const lang = (req.params as { lang?: string } | undefined)?.lang;
    if (lang === undefined) return;
    if (!isLangTag(lang)) throw new DomainError('NOT_FOUND', 'Not found');
    req.t = translator(lang);
  });
}

/** The page language from the first path segment, falling back to English for non-page URLs. */
export function langOf(req: FastifyRequest): string {
  const seg = req.url.split('?')[0]!.split('/')[1] ?? '';
  return seg && isLangTag(seg) ? seg : 'en';
}

/** The visitor's first language (Accept-Language) among `available`; else `fallback`, else English. */
export function preferredLang(req: FastifyRequest, available: string[] = UI_LANGS, fallback?: string): string {
  const header = String(req.headers['accept-language'] ?? '');
  const wanted = header
    .split(',')
    .map((part) => {
      const [tag, q] = part.trim().split(';q=');
      return { tag: (tag ?? '').toLowerCase(), q: q ? Number(q) : 1 };
    })
    .filter((x) => x.tag)
    .sort((a, b) => b.q - a.q);
  for (const w of wanted) {
    const hit = available.find((l) => l.toLowerCase() === w.tag) ?? available.find((l) => l.toLowerCase() === w.tag.split('-')[0]);
    if (hit) return hit;
  }
  if (fallback && available.includes(fallback)) return fallback;
  return available.includes('en') ? 'en' : available[0] ?? 'en';
}
