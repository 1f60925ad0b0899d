/**
 * Cross-site request forgery protection without a per-visitor token, as Go 1.25's net/http CrossOriginProtection
 * does it (docs/decisions/0003-csrf-by-fetch-metadata.md). Threat: another site making a visitor's browser post one
 * of our forms (sign in their name, withdraw their signature, act in an organiser's session).
 *
 * Browsers say where a request comes from, in headers a page cannot set:
 *   - Origin, when sent, must be the configured base URL's origin (scheme, host and port), never compared with the
 *     request's own Host: after DNS rebinding a hostile page's requests carry `Origin: http://evil.example` and
 *     `Host: evil.example`, and the browser calls them `same-origin` (the Host check answers those first);
 *   - `Origin: null` (a page whose referrer policy is `no-referrer`: browsers then hide the origin even from the
 *     page's own server) and no Origin are judged by Sec-Fetch-Site: `same-origin` or `none` (typed, bookmarked, a
 *     link from a mail) → allowed; `same-site` or `cross-site` → refused (a sibling subdomain is another site for
 *     us); `Origin: null` without Sec-Fetch-Site (a sandboxed frame in an older browser) → refused;
 *   - neither header → allowed: not a browser (curl, a script), which could send anything anyway.
 * Our pages send `Referrer-Policy: same-origin`, so our own forms carry their true Origin.
 * Safe methods (GET, HEAD, OPTIONS) are never refused: they change nothing.
 */
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../../core/errors.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function header(v: string | string[] | undefined): string {
  return (Array.isArray(v) ? v[0] : v) ?? '';
}

/** Why the request is refused ('cross-site', 'cross-origin'), or undefined when it may go on. */
export function crossOriginRefusal(req: { method: string; headers: Record<string, string | string[] | undefined> }, trustedOrigin: string): string | undefined {
  if (SAFE.has(req.method)) return undefined;
  const origin = header(req.headers.origin);
  const site = header(req.headers['sec-fetch-site']);
  if (origin && origin !== 'null') return origin === trustedOrigin ? undefined : site === 'same-site' || site === 'cross-site' ? 'cross-site' : 'cross-origin';
  if (site === 'same-origin' || site === 'none') return undefined;
  if (site) return 'cross-site';
  return origin === 'null' ? 'cross-origin' : undefined;
}

/** A refused cross-site form: CSRF_INVALID (403), marked so that pages can say what happened. */
export class CrossSiteError extends DomainError {
  readonly crossSite = true;
  constructor(reason: string) {
    super('CSRF_INVALID', `The form was sent from another site (${reason})`);
  }
}

export function isCrossSiteError(e: unknown): e is CrossSiteError {
  return e instanceof DomainError && (e as { crossSite?: boolean }).crossSite === true;
}

/** A preHandler refusing cross-origin browser requests; `trustedOrigin` is the base URL's origin. */
export function sameOriginOnly(trustedOrigin: string) {
  return async function sameOrigin(req: FastifyRequest): Promise<void> {
    const why = crossOriginRefusal(req, trustedOrigin);
    if (why) throw new CrossSiteError(why);
  };
}
