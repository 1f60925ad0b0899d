/**
 * The HTTP adapter: builds the Fastify app (it never listens; `serve` does) from the Services and what main.ts
 * decided. Registers the plugins, the error pages, pages/ (by URL), api/v1/ and the transparency log's routes.
 * Pages work without JavaScript; the JSON API is documented at /api/openapi.json.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import type { RateLimitBackend } from './rate-limit/backend.ts';
import { securityHeaders } from './kit/security-headers.ts';
import { isCrossSiteError } from './kit/cross-origin.ts';
import { hostCheck } from './kit/host.ts';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../config.ts';
import { DomainError } from '../../core/errors.ts';
import type { Services } from '../../use-cases/services.ts';
import { apiError, BUSY_RETRY_AFTER_S, clientErrorResponse, frameworkError, STATUS, toDomainError } from './kit/errors.ts';
import { checkFields, checkRequestLine, MAX_PARAM_LENGTH } from './kit/input.ts';
import { translator } from '../i18n/index.ts';
import { langOf } from './kit/lang.ts';
import { SigningScreen } from './kit/screening.ts';
import { BODY_LIMIT, decorateSigningLimit, REQUEST_TIMEOUT_MS } from './kit/limits.ts';
import './kit/refusals.ts';
import { messageDocument } from './views/message.ts';
import type { CapturedMail } from './views/dev-outbox.ts';
import { pageRoutes } from './pages/index.ts';
import { apiRoutes } from './api/v1/index.ts';
import { logRoutes } from './transparency-log.ts';
import { healthRoutes } from './health.ts';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** What the composition root decides for the HTTP app. */
export interface HttpOptions {
  config: Config;
  cookieSecret: string;
  /** Where rate limits are counted (main.ts chooses: Redis, PostgreSQL, the cluster's primary or memory). */
  rateLimits: RateLimitBackend;
  /** The captured mail, when mail is captured rather than sent (GET /dev/outbox in development). */
  devOutbox?: ((limit: number) => readonly CapturedMail[]) | undefined;
}

export async function buildHttp(s: Services, options: HttpOptions): Promise<FastifyInstance> {
  const { config } = options;
  const f = Fastify({
    // Query strings are never logged: confirmation and sign-in links carry secrets there.
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, serializers: { req: (req) => ({ method: req.method, url: String(req.url).split('?')[0]!.replace(/\/receipts\/[^/]+/, '/receipts/…'), id: req.id }) } },
    bodyLimit: BODY_LIMIT,
    // A number of hops trusts that many peers nearest to us; a list trusts those addresses. Either way req.ip is the
    // rightmost address of X-Forwarded-For not trusted (docs/security.md), never the client-written leftmost one.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // A request (headers and body) must arrive within 30 s, its headers within 10 s; Node checks every 2 s. Slow
    // clients are answered 408 in our format and let go (kit/errors.ts clientErrorResponse).
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { headersTimeout: 10_000, connectionsCheckingInterval: 2_000 },
    clientErrorHandler: (err, socket) => {
      const answer = clientErrorResponse(err as { code?: string });
      if (answer && socket.writable) socket.end(answer);
      socket.destroy();
    },
    // Bad percent-encoding and over-long parameters, which Fastify refuses before routing, in our error format.
    frameworkErrors: (err, req, reply) => sendError(config, req, reply, frameworkError(err as { code?: string })),
  });
  f.addHook('onRequest', checkRequestLine);
  f.addHook('preValidation', checkFields);

  // The same headers on every response (helmet decides them, once: kit/security-headers.ts), copied from a fixed
  // object by one synchronous hook.
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
    // Pages carry no third-party resources, and no referrer leaves for another site (tokens in URLs stay here).
    // `same-origin` rather than `no-referrer`: under `no-referrer` browsers send `Origin: null` with our own forms,
    // which the cross-origin check (kit/cross-origin.ts) could then only judge by Sec-Fetch-Site.
    referrerPolicy: { policy: 'same-origin' },
    hsts: config.baseUrl.startsWith('https:'),
  });
  // DNS rebinding: only the base URL's host, loopback names and UNDERSIGNED_ALLOWED_HOSTS are served (kit/host.ts);
  // /healthz answers any name (load balancers ask by address).
  const hostAllowed = hostCheck(config.baseUrl, config.allowedHosts);
  f.addHook('onRequest', (req, reply, done) => {
    reply.headers(security);
    if (!hostAllowed(req.headers.host) && req.url !== '/healthz') return done(new DomainError('HOST_NOT_ALLOWED', 'This server does not serve that host name'));
    done();
  });
  await f.register(cookie, { secret: options.cookieSecret });
  await f.register(formbody, { bodyLimit: BODY_LIMIT });
  await f.register(csrf, {
    cookieKey: 'us_csrf',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'lax', path: '/', secure: config.baseUrl.startsWith('https:') },
    getToken: (req) => (req.body as Record<string, string> | undefined)?._csrf,
  });
  // Token CSRF is left to the organiser area (ADR 0003); public forms are checked by kit/cross-origin.ts.
  const limits = options.rateLimits;
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
  decorateSigningLimit(f, config);
  // Bots held, people kept: the proof of work, limits and checks every signing goes through (kit/screening.ts).
  f.decorate('screen', new SigningScreen(options.cookieSecret, config.powCost, config.holdLimits, config.screening));
  await f.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Undersigned API', version: '1', description: 'Open letters with verifiable signatures. Emails are accepted, never returned.' },
      servers: [{ url: config.baseUrl }],
      components: { securitySchemes: { organiserToken: { type: 'http', scheme: 'bearer', description: 'undersigned token create' } } },
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

  f.setNotFoundHandler((req, reply) => sendError(config, req, reply, new DomainError('NOT_FOUND', 'Not found')));
  f.setErrorHandler((err, req, reply) => {
    const d = toDomainError(err);
    if (d.code === 'INTERNAL') req.log.error({ err }, 'request failed');
    else if ((d as { outage?: boolean }).outage) outageLog(req, err);
    else if (d.code === 'SERVER_BUSY') req.log.warn('request failed: the database stayed busy for the whole wait for its write lock (answered 503)');
    const retry = (err as { retryAfter?: number }).retryAfter ?? (d as { retryAfter?: number }).retryAfter ?? (d.code === 'SERVER_BUSY' ? BUSY_RETRY_AFTER_S : undefined);
    if (retry) reply.header('retry-after', String(retry));
    return sendError(config, req, reply, d);
  });

  await f.register(pageRoutes(s, config, options.devOutbox));
  await f.register(apiRoutes(s, config), { prefix: '/api/v1' });
  await f.register(logRoutes(s));
  f.get('/api/openapi.json', { schema: { hide: true } }, async () => f.swagger());
  // Browsers ask for /favicon.ico whatever the page says.
  f.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/assets/favicon.svg', 301));
  await f.register(healthRoutes(s));
  return f;
}

let outageLoggedAt = 0;
/** A database outage fails every request: logged once per 30 s, not once per request. */
function outageLog(req: FastifyRequest, err: unknown) {
  const now = Date.now();
  if (now - outageLoggedAt < 30_000) return;
  outageLoggedAt = now;
  req.log.error({ err }, 'the database cannot be reached or cannot write (answered 503 with Retry-After; further failures are not logged for 30 s)');
}

/** proxy-addr's trust function for `hops` proxies: the socket's peer is hop 0, the address it forwarded hop 1, … */
function trustHops(hops: number) {
  return (_addr: string, i: number) => i < hops;
}

async function sendError(config: Config, req: FastifyRequest, reply: FastifyReply, err: DomainError) {
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
  const message = isCrossSiteError(err) ? t('error.CROSS_SITE') : known.includes(err.code) ? t(key as 'error.INTERNAL', { seconds: retry }) : t('error.generic');
  return reply.type('text/html; charset=utf-8').send(messageDocument(t, config.baseUrl, t('error.title'), message));
}
