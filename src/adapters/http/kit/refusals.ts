/**
 * A form refused before its handler ran (cross-site, a stale CSRF token, the rate limit, a busy database) comes back
 * as the page it was posted from, filled in and saying why, when the route said how to draw it.
 */
import type { DomainError } from '../../../core/errors.ts';
import type { T } from '../../i18n/index.ts';
import { isCrossSiteError } from './cross-origin.ts';
import { BUSY_RETRY_AFTER_S } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a page route that wants its form re-rendered on a CSRF or rate-limit error. */
    rerender?: (err: DomainError) => Promise<string>;
  }
}

/** Why a form was refused, in the page's language. */
export function refusalMessage(t: T, err: DomainError): string {
  if (err.code === 'RATE_LIMITED') return t('error.RATE_LIMITED', { seconds: Number((err as { retryAfter?: number }).retryAfter ?? 60) });
  if (err.code === 'SERVER_BUSY') return t('error.SERVER_BUSY', { seconds: Number((err as { retryAfter?: number }).retryAfter ?? BUSY_RETRY_AFTER_S) });
  return isCrossSiteError(err) ? t('error.CROSS_SITE') : t('error.CSRF_INVALID');
}
