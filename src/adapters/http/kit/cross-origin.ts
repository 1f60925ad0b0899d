/**
 * Cross-site request forgery protection without a per-visitor token, as Go 1.25's net/http CrossOriginProtection
 * does it (docs/decisions/0003-csrf-by-fetch-metadata.md). Threat: another site making a visitor's browser post one
 * of our forms (sign in their name, withdraw their signature, act in an organiser's session).
 *
 * Browsers say where a request comes from, in headers a page cannot set:
 *   - Sec-Fetch-Site `same-origin` or `none` (typed, bookmarked, a link from a mail) → allowed;
 *     `same-site` or `cross-site` → refused (a sibling subdomain is another site for us);
 *   - no Sec-Fetch-Site (browsers before 2023): the host of Origin must be the Host the request was sent to, or Origin
 *     must be the configured base URL's origin (behind a proxy that rewrites Host); `Origin: null` is refused;
 *   - neither header → allowed: not a browser (curl, a script), which could send anything anyway.
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
  if (site) {
    if (site === 'same-origin' || site === 'none') return undefined;
    return origin === trustedOrigin ? undefined : 'cross-site';
  }
  if (!origin) return undefined;
  if (origin === trustedOrigin) return undefined;
  try {
    const o = new URL(origin);
    // The Host header read as a host of Origin's scheme, so that default ports compare equal (x:80 = x).
    const host = new URL(`${o.protocol}//${header(req.headers.host)}`).host;
    return o.host && o.host === host ? undefined : 'cross-origin';
  } catch {
    return 'cross-origin'; // `null` (sandboxed frames, some redirects) and anything unparsable
  }
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
