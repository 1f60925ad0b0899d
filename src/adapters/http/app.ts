/**
 * The HTTP adapter: builds the Fastify app (it never listens; `serve` does). Pages work without JavaScript;
 * the JSON API is documented at /api/openapi.json.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import { rateLimitBackend } from './rate-limit-store.ts';
import { securityHeaders } from './security-headers.ts';
import { isCrossSiteError } from './cross-origin.ts';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../../main.ts';
import { DomainError } from '../../core/errors.ts';
import { apiError, BUSY_RETRY_AFTER_S, STATUS, toDomainError } from './errors.ts';
import { translator, UI_LANGS } from '../i18n/index.ts';
import { layout } from './views/layout.ts';
import { messagePage } from './views/letter.ts';
import { pageRoutes } from './pages/index.ts';
import { apiRoutes } from './api/v1/index.ts';
import { logRoutes } from './log.ts';
import { isLangTag } from '../../core/letters/letter.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Body limits: the sign form is small; an organiser's letter (many languages of Markdown) is larger. */
export const BODY_LIMIT = 1024 * 1024;
export const SIGN_BODY_LIMIT = 16 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a page route that wants its form re-rendered on a CSRF or rate-limit error. */
    rerender?: (err: DomainError) => Promise<string>;
  }
}

/** The page language from the first path segment, falling back to English for non-page URLs. */
export function langOf(req: FastifyRequest): string {
  const seg = req.url.split('?')[0]!.split('/')[1] ?? '';
  return seg && isLangTag(seg) ? seg : 'en';
}

export function preferredLang(req: FastifyRequest, available: string[] = UI_LANGS): string {
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
  return available.includes('en') ? 'en' : available[0] ?? 'en';
}

export async function buildHttp(app: App): Promise<FastifyInstance> {
  const { config } = app;
  const f = Fastify({
    // Query strings are never logged: confirmation and sign-in links carry secrets there.
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, serializers: { req: (req) => ({ method: req.method, url: String(req.url).split('?')[0]!.replace(/\/receipts\/[^/]+/, '/receipts/…'), id: req.id }) } },
    bodyLimit: BODY_LIMIT,
    trustProxy: config.trustProxy,
    routerOptions: { maxParamLength: 200 },
  });

  // The same headers on every response (helmet decides them, once: security-headers.ts). One synchronous hook that
  // copies a fixed object, instead of helmet's middleware rebuilt on every request.
  const security = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // Pages carry no third-party resources; keep referrers from leaking tokens in URLs.
    referrerPolicy: { policy: 'no-referrer' },
    hsts: config.baseUrl.startsWith('https:'),
  });
  f.addHook('onRequest', (_req, reply, done) => {
    reply.headers(security);
    done();
  });
  await f.register(cookie, { secret: app.cookieSecret });
  await f.register(formbody, { bodyLimit: BODY_LIMIT });
  await f.register(csrf, {
    cookieKey: 'us_csrf',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure: config.baseUrl.startsWith('https:') },
    getToken: (req) => (req.body as Record<string, string> | undefined)?._csrf,
  });
  // Token CSRF is left to the organiser area (ADR 0003); public forms are checked by cross-origin.ts.
  // Counters shared by every server process: Redis, else PostgreSQL, else this process (rate-limit-store.ts).
  const limits = await rateLimitBackend({ redisUrl: config.redisUrl, store: app.store });
  f.addHook('onClose', async () => limits.close());
  await f.register(rateLimit, {
    ...limits.options,
    global: false,
    // After body parsing (so a refused form comes back filled in) and before the CSRF check (so floods count).
    hook: 'preValidation',
    // One flood from one address gets told to slow down; nothing is dropped silently.
    errorResponseBuilder: (_req, ctx) => {
      const e = new DomainError('RATE_LIMITED', `Too many requests; try again in ${Math.ceil(ctx.ttl / 1000)} seconds`) as DomainError & { statusCode: number; retryAfter: number };
      e.statusCode = 429;
      e.retryAfter = Math.ceil(ctx.ttl / 1000);
      return e;
    },
  });
  await f.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Undersigned API', version: '1', description: 'Open letters with verifiable signatures. Emails are accepted, never returned.' },
      servers: [{ url: config.baseUrl }],
    },
    hideUntagged: true,
  });

  await f.register(fastifyStatic, { root: join(here, 'assets'), prefix: '/assets/', immutable: false, maxAge: 3600_000, decorateReply: false });
  await f.register(fastifyStatic, {
    root: join(dirname(require.resolve('vazirmatn/package.json')), 'fonts', 'webfonts'),
    prefix: '/assets/fonts/',
    maxAge: 365 * 24 * 3600_000,
    immutable: true,
    decorateReply: false,
  });

  f.setNotFoundHandler((req, reply) => sendError(app, req, reply, new DomainError('NOT_FOUND', 'Not found')));
  f.setErrorHandler((err, req, reply) => {
    const d = toDomainError(err);
    if (d.code === 'INTERNAL') req.log.error({ err }, 'request failed');
    else if (d.code === 'SERVER_BUSY') req.log.warn('request failed: the database stayed busy for the whole wait for its write lock (answered 503)');
    const retry = (err as { retryAfter?: number }).retryAfter ?? (d.code === 'SERVER_BUSY' ? BUSY_RETRY_AFTER_S : undefined);
    if (retry) reply.header('retry-after', String(retry));
    return sendError(app, req, reply, d);
  });

  await f.register(pageRoutes(app));
  await f.register(apiRoutes(app), { prefix: '/api/v1' });
  await f.register(logRoutes(app));
  f.get('/api/openapi.json', { schema: { hide: true } }, async () => f.swagger());
  // Browsers ask for /favicon.ico whatever the page says.
  f.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/assets/favicon.svg', 301));
  f.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  return f;
}

async function sendError(app: App, req: FastifyRequest, reply: FastifyReply, err: DomainError) {
  const status = STATUS[err.code] ?? 500;
  reply.code(status);
  if (req.url.startsWith('/api/') || req.url.startsWith('/log/')) return reply.type('application/json; charset=utf-8').send(apiError(err));
  // Pages about one request's failure are that request's own: never kept by a browser or shared cache.
  reply.header('cache-control', 'no-store');
  if (req.rerender && (err.code === 'CSRF_INVALID' || err.code === 'RATE_LIMITED' || err.code === 'SERVER_BUSY')) {
    try {
      return reply.type('text/html; charset=utf-8').send(await req.rerender(err));
    } catch {
      // fall through to the plain error page
    }
  }
  const t = translator(langOf(req));
  const key = `error.${err.code}` as const;
  const retry = Number(reply.getHeader('retry-after') ?? 0);
  const known = ['LETTER_NOT_FOUND', 'NOT_FOUND', 'LETTER_CLOSED', 'LETTER_NOT_OPEN', 'RATE_LIMITED', 'SERVER_BUSY', 'CSRF_INVALID', 'BODY_TOO_LARGE', 'NOT_SIGNED_IN', 'NOT_AUTHORISED', 'INTERNAL'];
  const message = isCrossSiteError(err) ? t('error.CROSS_SITE') : known.includes(err.code) ? t(key as 'error.INTERNAL', { seconds: t.number(retry) }) : t('error.generic');
  return reply.type('text/html; charset=utf-8').send(
    layout({ t, title: t('error.title'), body: messagePage(t, t('error.title'), message), baseUrl: app.config.baseUrl, noindex: true }),
  );
}
