/** The links we mail and hand out, under the base URL: the one place that knows the pages' URL shapes. */
import type { Deps } from '../deps.ts';

export function confirmUrl(deps: Deps, lang: string, token: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/confirm?token=${encodeURIComponent(token)}`;
}

export function letterUrl(deps: Deps, lang: string, slug: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/letters/${encodeURIComponent(slug)}`;
}

export function receiptUrl(deps: Deps, lang: string, token: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/receipts/${encodeURIComponent(token)}`;
}

export function withdrawUrl(deps: Deps, lang: string, token: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/withdraw?token=${encodeURIComponent(token)}`;
}

/** The signer's private "manage my signature" page (docs/security.md, signers' data). */
export function manageUrl(deps: Deps, lang: string, token: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/manage?token=${encodeURIComponent(token)}`;
}

/** A signer's link to stop a letter's updates: GET shows a button, POST (also RFC 8058's one-click POST) unsubscribes. */
export function unsubscribeUrl(deps: Deps, lang: string, token: string): string {
  return `${deps.baseUrl}/${encodeURIComponent(lang)}/unsubscribe?token=${encodeURIComponent(token)}`;
}
