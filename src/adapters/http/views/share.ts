/**
 * Sharing without trackers: OpenGraph and Twitter card tags for a page's head, plain share links (mail, Telegram,
 * WhatsApp, X, Mastodon through our own redirect to the sharer's instance), no third-party script or image; and the
 * PDF link beside them.
 */
import type { LetterVersion, LetterWithText } from '../../../core/model.ts';
import type { T } from '../../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';
import { embedSnippet } from './embed.ts';

export interface OpenGraph {
  title: string;
  description: string;
  /** Absolute URLs. */
  url: string;
  image: string;
  imageAlt: string;
  lang: string;
}

/** The head's tags: OpenGraph (a 1200×630 card) and the Twitter card, which reads OpenGraph for the rest. */
export function openGraphTags(og: OpenGraph): SafeHtml {
  return html`<meta property="og:type" content="article">
<meta property="og:title" content="${og.title}">
<meta property="og:description" content="${og.description}">
<meta property="og:url" content="${og.url}">
<meta property="og:image" content="${og.image}">
<meta property="og:image:type" content="image/png">
<meta property="og:image:width" content="1200">
<meta property="og:image:height" content="630">
<meta property="og:image:alt" content="${og.imageAlt}">
<meta property="og:locale" content="${og.lang.replace('-', '_')}">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:title" content="${og.title}">
<meta name="twitter:description" content="${og.description}">
<meta name="twitter:image" content="${og.image}">
`;
}

/** The letter's tags in one language: title, "To: addressee — N signatures", its card. */
export function letterOpenGraph(t: T, baseUrl: string, letter: LetterWithText, version: LetterVersion, count: number): OpenGraph {
  const to = version.addressee ?? letter.addressee;
  const page = `${baseUrl}/${version.lang}/letters/${letter.slug}`;
  const description = `${t('letter.to')}: ${to.name}${to.title ? `${t('letter.sep')}${to.title}` : ''} — ${t('letter.count', { count })}`;
  return { title: version.title, description, url: page, image: `${page}/card.png`, imageAlt: `${version.title} — ${t('letter.count', { count })}`, lang: version.lang };
}

/** The share links of a letter's page in one language (absolute URLs, text from the letter). */
export function shareLinks(t: T, baseUrl: string, letter: LetterWithText, version: LetterVersion, count: number) {
  const url = `${baseUrl}/${version.lang}/letters/${letter.slug}`;
  const text = t('share.text', { title: version.title, count });
  const q = encodeURIComponent;
  return {
    url,
    mail: `mailto:?subject=${q(version.title)}&body=${q(`${text}\n\n${url}`)}`,
    telegram: `https://t.me/share/url?url=${q(url)}&text=${q(text)}`,
    whatsapp: `https://wa.me/?text=${q(`${text} ${url}`)}`,
    x: `https://x.com/intent/post?text=${q(text)}&url=${q(url)}`,
    mastodon: `/${version.lang}/letters/${letter.slug}/share/mastodon`,
  };
}

/** The share block: plain links (no script), a Mastodon instance form, the page's address and the PDF. */
export function shareBlock(t: T, baseUrl: string, letter: LetterWithText, version: LetterVersion, count: number): SafeHtml {
  const l = shareLinks(t, baseUrl, letter, version, count);
  const ext = (href: string, label: string) => html`<li><a href="${href}" rel="noopener noreferrer" target="_blank">${label}</a></li>`;
  return html`<section class="share" aria-labelledby="share-heading" lang="${t.lang}" dir="${t.dir}">
<h2 id="share-heading">${t('share.heading')}</h2>
<ul class="share-links">
  <li><a href="${l.mail}">${t('share.mail')}</a></li>
  ${ext(l.telegram, 'Telegram')}
  ${ext(l.whatsapp, 'WhatsApp')}
  ${ext(l.x, 'X')}
</ul>
<form class="mastodon" method="get" action="${l.mastodon}" target="_blank">
  <label for="mastodon-instance">Mastodon</label>
  <input id="mastodon-instance" name="instance" placeholder="mastodon.social" dir="ltr" required maxlength="253" autocomplete="off" inputmode="url">
  <button type="submit">${t('share.heading')}</button>
</form>
<p class="share-url"><label for="share-url">${t('share.copy')}</label> <input id="share-url" readonly value="${l.url}" dir="ltr"></p>
<p><a href="/${version.lang}/letters/${letter.slug}.pdf" type="application/pdf">${t('letter.pdf')}</a></p>
<details class="embed-code"><summary>${t('embed.code')}</summary>
<textarea readonly rows="3" dir="ltr" aria-label="${t('embed.code')}">${embedSnippet(baseUrl, letter, version)}</textarea>
<p><img src="/letters/${letter.slug}/badge.svg?lang=${version.lang}" alt="${t('letter.count', { count })}"></p>
</details>
</section>`;
}

/** A Mastodon instance as typed (a host name, perhaps with https:// or a path): the host, or undefined. */
export function mastodonHost(typed: string): string | undefined {
  const s = typed.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/^@?[^@/]*@/, '').split('/')[0] ?? '';
  return /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(s) ? s : undefined;
}
