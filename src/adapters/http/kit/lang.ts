/**
 * The page language. Every page route starts with /:lang; the hook below checks it once and gives the handler
 * `req.t`, the translator of that language. Served languages are the interface's and, on a letter's pages, the
 * letter's own; any other tag (there are millions, each a request away) is redirected to a served one on GET and a
 * 404 otherwise, and never gets a translator: nothing is kept per tag a client makes up.
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

/** The languages of the letter at `slug` (any state), or undefined when there is none. */
export type LetterLangs = (slug: string) => Promise<string[] | undefined>;

/** Registers the :lang check on every route of `f` that has the parameter. */
export function langHook(f: FastifyInstance, letterLangs?: LetterLangs): void {
  f.decorateRequest('t', null as unknown as T);
  f.addHook('onRequest', async (req, reply) => {
    const params = req.params as { lang?: string; slug?: string } | undefined;
    const lang = params?.lang;
    if (lang === undefined) return;
    if (UI_LANGS.includes(lang)) {
      req.t = translator(lang);
      return;
    }
    // A letter's page in one of its languages: a bounded set, chosen by organisers.
    const own = params?.slug !== undefined && letterLangs ? await letterLangs(params.slug) : undefined;
    if (own && isLangTag(lang) && own.includes(lang)) {
      req.t = translator(lang);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new DomainError('NOT_FOUND', 'Not found');
    const to = preferredLang(req, own?.length ? own : UI_LANGS);
    // The URL as asked with its first segment (however it was encoded) replaced; the query kept.
    const end = req.url.slice(1).search(/[/?]/);
    const target = `/${to}${end < 0 ? '' : req.url.slice(1 + end)}`;
    return reply.header('cache-control', 'no-store').redirect(target, 302);
  });
}

/** The page language of an error page: the request's served language, else the first path segment if it is an
 * interface language, else English. */
export function langOf(req: FastifyRequest): string {
  if (req.t) return req.t.lang;
  const seg = req.url.split('?')[0]!.split('/')[1] ?? '';
  return UI_LANGS.includes(seg) ? seg : 'en';
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
