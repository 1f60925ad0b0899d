/** The withdrawal pages: the button that withdraws by POST, and what withdrawing said. */
import type { LetterWithText, Signature } from '../../../core/model.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import type { T } from '../../i18n/index.ts';
import { bidiIsolate } from './bidi.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type Alternate } from './layout.ts';
import { messagePage } from './message.ts';

const page = (t: T, base: string, body: SafeHtml, alternates: Alternate[] = []) =>
  layout({ t, title: t('withdraw.title'), body, baseUrl: base, noindex: true, alternates });

/** The button (with `notice` above it after a refused post). */
export function withdrawPage(t: T, base: string, letter: LetterWithText, token: string, notice?: string, alternates: Alternate[] = []): string {
  const title = (versionFor(letter, t.lang) ?? letter.versions[0])!.title;
  return page(t, base, messagePage(t, t('withdraw.title'), html`${notice ? html`<div class="alert" role="alert">${notice}</div>` : ''}<p>${t('withdraw.body', { title: bidiIsolate(title) })}</p>
<form method="post" action="/${t.lang}/withdraw"><input type="hidden" name="token" value="${token}"><button type="submit" class="primary">${t('withdraw.button')}</button></form>`), alternates);
}

/** A one-sentence withdrawal page: already withdrawn, or the link is not valid. */
export function withdrawMessagePage(t: T, base: string, message: string, alternates: Alternate[] = []): string {
  return page(t, base, messagePage(t, t('withdraw.title'), message), alternates);
}

/** Withdrawn (or it already was), and the way back to the letter. */
export function withdrawnPage(t: T, base: string, letter: LetterWithText, signature: Signature, already: boolean, alternates: Alternate[] = []): string {
  const msg = already ? t('withdraw.already') : t('withdraw.done');
  return page(t, base, messagePage(t, t('withdraw.title'), html`<p>${msg}</p><p><a href="/${signature.lang}/letters/${letter.slug}">${t('sign.thanks.back')}</a></p>`), alternates);
}
