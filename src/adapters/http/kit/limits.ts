/** How much a request may carry and how often one address may post. */
import type { Config } from '../../../config.ts';

/** Body limits: the sign form is small; an organiser's letter (many languages of Markdown) is larger. */
export const BODY_LIMIT = 1024 * 1024;
export const SIGN_BODY_LIMIT = 16 * 1024;
/** A request, headers and body, must have arrived within this (slow bodies hold a connection and a parser). */
export const REQUEST_TIMEOUT_MS = 30_000;

/** The per-route rate limit of the forms that send mail or sign (UNDERSIGNED_RATE_LIMIT a minute; off when 0). */
export function rateLimitFor(config: Pick<Config, 'rateLimitPerMinute'>) {
  return config.rateLimitPerMinute ? { max: config.rateLimitPerMinute, timeWindow: 60_000 } : false;
}
