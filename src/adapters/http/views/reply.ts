/** The addressee's reply under the letter (each text with its own lang and dir), and the unsubscribe pages. */
import type { LetterWithText } from '../../../core/model.ts';
import type { PublicReply } from '../cache/replies.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import { directionOf } from '../../../core/text.ts';
import type { T } from '../../i18n/index.ts';
import { bidiIsolate } from './bidi.ts';
import { html, type SafeHtml } from './html.ts';
import { languageLabel, layout, type Alternate } from './layout.ts';
import { renderMarkdown } from './markdown.ts';
import { messagePage } from './message.ts';

/** One reply: the text in the page's language when it has one, else its first (original) text, marked as such. */
function replyBlock(t: T, r: PublicReply): SafeHtml {
  const own = r.texts.find((x) => x.lang === t.lang);
  const shown = own ?? r.texts[0]!;
  // The date as a calendar day (noon UTC, so no time zone moves it to the day before).
  const date = t.date(`${r.receivedOn}T12:00:00.000Z`);
  return html`<div class="reply-item">
<p class="hint">${t('letter.reply.received', { date })}</p>
${own ? '' : html`<p class="hint">${t('letter.reply.original', { language: languageLabel(shown.lang) })}</p>`}
<blockquote class="reply-text" lang="${shown.lang}" dir="${directionOf(shown.lang)}">${renderMarkdown(shown.body)}</blockquote>
${r.pdfUrl ? html`<p><a href="${r.pdfUrl}" type="application/pdf">${t('letter.reply.pdf')}</a></p>` : ''}
<p class="hint">${t('letter.reply.check', { text: bidiIsolate(r.textSha256) })}</p>
</div>`;
}

/** Under the letter's text: the addressee's replies, newest first, in the page's language. */
export function replySection(t: T, replies: readonly PublicReply[]): SafeHtml {
  if (!replies.length) return html``;
  return html`<section class="reply" id="reply" aria-labelledby="reply-heading" lang="${t.uiLang}" dir="${t.dir}">
<h2 id="reply-heading">${t('letter.reply.heading')}</h2>
${replies.map((r) => replyBlock(t, r))}
</section>`;
}

const titleOf = (letter: LetterWithText, lang: string) => (versionFor(letter, lang) ?? versionFor(letter, letter.defaultLang) ?? letter.versions[0])?.title ?? letter.slug;

const page = (t: T, base: string, body: SafeHtml, alternates: Alternate[] = []) =>
  layout({ t, title: t('unsubscribe.title'), body, baseUrl: base, noindex: true, alternates });

/** GET: the question and one button (nothing changes: link scanners must not unsubscribe anyone). */
export function unsubscribePage(t: T, base: string, letter: LetterWithText, token: string, alternates: Alternate[] = []): string {
  return page(t, base, messagePage(t, t('unsubscribe.title'), html`<p>${t('unsubscribe.question', { title: bidiIsolate(titleOf(letter, t.lang)) })}</p>
<form method="post" action="/${t.lang}/unsubscribe?token=${encodeURIComponent(token)}"><button type="submit" class="primary">${t('unsubscribe.button')}</button></form>`), alternates);
}

/** After the POST (or when it was done already). */
export function unsubscribedPage(t: T, base: string, letter: LetterWithText, alternates: Alternate[] = []): string {
  const lang = versionFor(letter, t.lang) ? t.lang : letter.defaultLang;
  return page(t, base, messagePage(t, t('unsubscribe.title'), html`<p role="status">${t('unsubscribe.done', { title: bidiIsolate(titleOf(letter, t.lang)) })}</p><p><a href="/${lang}/letters/${letter.slug}">${t('sign.thanks.back')}</a></p>`), alternates);
}

export function unsubscribeInvalidPage(t: T, base: string, alternates: Alternate[] = []): string {
  return page(t, base, messagePage(t, t('unsubscribe.title'), t('unsubscribe.invalid')), alternates);
}
