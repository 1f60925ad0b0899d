/** How much a request may carry and how often one address may post. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../config.ts';
import { mailboxKeyOf } from '../../../core/signatures/mailbox.ts';

type Hook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The one signing limit of a client, shared by the sign form and the API (app.ts makes it). */
    signingLimit: Hook;
    /** Organiser sign-in: the per-client limit, then at most LOGIN_LINKS_PER_HOUR links to one address. */
    signInLimit: Hook;
  }
}

/** Sign-in links mailed to one address in an hour, from any client (threat: flooding an organiser's inbox). */
export const LOGIN_LINKS_PER_HOUR = 3;

/**
 * @fastify/rate-limit lets one limiter run per request (a flag on the request); the sign-in route has two. The flag
 * is cleared between them: the second limiter counts on its own key.
 */
function clearLimiterFlag(req: FastifyRequest): void {
  for (const sym of Object.getOwnPropertySymbols(req)) if (sym.description?.endsWith('rateLimitRan')) (req as unknown as Record<symbol, unknown>)[sym] = false;
}

/**
 * Makes the signing limit once (one counter per client, whatever route it signs through: 10 a minute by default),
 * for routes to use as their preValidation hook: after body parsing, so a refused form comes back filled in.
 */
export function decorateSigningLimit(f: FastifyInstance, config: Pick<Config, 'rateLimitPerMinute'>): void {
  const limit = rateLimitFor(config);
  // groupId keeps the counters apart where the backend's stores share one prefix (PostgreSQL, Redis).
  f.decorate('signingLimit', limit ? (f.rateLimit({ ...limit, groupId: ':signing' }) as unknown as Hook) : async () => undefined);
  if (!limit) return void f.decorate('signInLimit', async () => undefined);
  const perClient = f.rateLimit({ ...limit, groupId: ':sign-in' }) as unknown as Hook;
  const perAddress = f.rateLimit({
    max: LOGIN_LINKS_PER_HOUR,
    timeWindow: 3600_000,
    keyGenerator: (req: FastifyRequest) => `login-address:${mailboxKeyOf(String((req.body as { email?: unknown } | undefined)?.email ?? ''))}`,
  }) as unknown as Hook;
  f.decorate('signInLimit', async (req: FastifyRequest, reply: FastifyReply) => {
    await perClient(req, reply);
    if (reply.sent) return;
    clearLimiterFlag(req);
    await perAddress(req, reply);
  });
}

/** Body limits: the sign form is small; an organiser's letter (many languages of Markdown) is larger. */
export const BODY_LIMIT = 1024 * 1024;
export const SIGN_BODY_LIMIT = 16 * 1024;
/** The addressee's reply: its texts (50,000 characters each at most) and a PDF of up to 5 MB (multipart, or base64 in JSON). */
export const REPLY_BODY_LIMIT = 8 * 1024 * 1024;
/** A request, headers and body, must have arrived within this (slow bodies hold a connection and a parser). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** The per-route rate limit of the forms that send mail or sign (UNDERSIGNED_RATE_LIMIT a minute; off when 0). */
export function rateLimitFor(config: Pick<Config, 'rateLimitPerMinute'>) {
  return config.rateLimitPerMinute ? { max: config.rateLimitPerMinute, timeWindow: 60_000 } : false;
}
