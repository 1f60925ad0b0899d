/** What page handlers share: sending a page, the sign form's fields, the language alternates of a page. */
import type { FastifyReply } from 'fastify';
import type { LetterWithText } from '../../../core/model.ts';
import { UI_LANGS } from '../../i18n/index.ts';
import type { Values } from '../views/forms.ts';
import { languageLabel, type Alternate } from '../views/layout.ts';

const SIGN_FIELDS = ['name', 'nameAlt', 'title', 'country', 'email', 'visibility', 'consentUpdates'] as const;

/** The sign form's fields as typed (to fill the form in again). */
export function formValues(body: unknown): Values {
  const b = (body ?? {}) as Record<string, unknown>;
  const v: Values = {};
  for (const k of SIGN_FIELDS) if (typeof b[k] === 'string') v[k] = b[k] as string;
  return v;
}

/** The letter's page in each of its languages. */
export function letterAlternates(letter: LetterWithText, path = ''): Alternate[] {
  return letter.versions.map((v) => ({ lang: v.lang, href: `/${v.lang}/letters/${letter.slug}${path}`, label: languageLabel(v.lang) }));
}

/** A page of the site in each interface language. */
export function uiAlternates(path: string): Alternate[] {
  return UI_LANGS.map((l) => ({ lang: l, href: `/${l}${path}`, label: languageLabel(l) }));
}

/**
 * A signer's page (thanks, confirm, receipt, withdraw) in other languages: the letter's own languages first, then
 * every interface language. `path` follows the language segment and may carry the page's token.
 */
export function signerAlternates(path: string, letter?: { versions: readonly { lang: string }[] }): Alternate[] {
  const langs = [...new Set([...(letter?.versions.map((v) => v.lang) ?? []), ...UI_LANGS])];
  return langs.map((l) => ({ lang: l, href: `/${l}${path}`, label: languageLabel(l) }));
}

/** A page drawn for this request: never kept by a browser or a shared cache. */
export function sendPage(reply: FastifyReply, page: string, status = 200) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}
