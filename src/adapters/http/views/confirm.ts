/** The confirmation pages: the button that confirms by POST, and what confirming said. */
import type { LetterWithText, Signature } from '../../../core/model.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import type { T } from '../../i18n/index.ts';
import { bidiIsolate } from './bidi.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type Alternate } from './layout.ts';
import { messagePage } from './message.ts';

const titleOf = (letter: LetterWithText, lang: string) => (versionFor(letter, lang) ?? letter.versions[0])!.title;

const page = (t: T, base: string, title: string, body: SafeHtml, alternates: Alternate[] = []) => layout({ t, title, body, baseUrl: base, noindex: true, alternates });

/** What a confirmation link shows: its button (with `notice` above it after a refused post), or why it cannot. */
export type ConfirmView = { kind: 'ask'; letter: LetterWithText; signature: Signature; token: string } | { kind: 'already' } | { kind: 'invalid' };

export function confirmPage(t: T, base: string, v: ConfirmView, notice?: string, alternates: Alternate[] = []): string {
  if (v.kind === 'already') return page(t, base, t('confirm.title'), messagePage(t, t('confirm.done.title'), t('confirm.already')), alternates);
  if (v.kind === 'invalid') return page(t, base, t('confirm.title'), messagePage(t, t('confirm.title'), t('confirm.invalid')), alternates);
  const body = messagePage(
    t,
    t('confirm.title'),
    html`${notice ? html`<div class="alert" role="alert">${notice}</div>` : ''}<p>${t('confirm.body', { name: bidiIsolate(v.signature.name), title: bidiIsolate(titleOf(v.letter, t.lang)) })}</p>
<form method="post" action="/${t.lang}/confirm"><input type="hidden" name="token" value="${v.token}"><button type="submit" class="primary">${t('confirm.button')}</button></form>`,
  );
  return page(t, base, t('confirm.title'), body, alternates);
}

/** Confirmed: the receipt's link (kept only by the signer), the way back to the letter, and `share` (share links). */
export function confirmedPage(t: T, base: string, letter: LetterWithText, signature: Signature, receiptToken: string | undefined, share?: SafeHtml, alternates: Alternate[] = []): string {
  const receipt = receiptToken ? html`<p><a class="receipt" href="/${t.lang}/receipts/${receiptToken}">${t('confirm.done.receipt')}</a></p><p class="hint">${t('confirm.done.receiptHint')}</p>` : '';
  // Held for a check: confirmed, not counted yet (it says so instead of "now counts").
  const said = signature.status === 'held' ? html`<p class="notice" role="status">${t('confirm.held')}</p>` : html`<p>${t('confirm.done.body', { title: bidiIsolate(titleOf(letter, t.lang)) })}</p>`;
  const body = messagePage(t, t('confirm.done.title'), html`${said}${receipt}<p><a href="/${signature.lang}/letters/${letter.slug}">${t('sign.thanks.back')}</a></p>${share ?? ''}`);
  return page(t, base, t('confirm.done.title'), body, alternates);
}

/** A confirmation refused: why, and a button for a new link where one would help. */
export function confirmRefusedPage(t: T, base: string, code: string, token: string, alternates: Alternate[] = []): string {
  const renew = html`<form method="post" action="/${t.lang}/confirm/renew"><input type="hidden" name="token" value="${token}"><button type="submit">${t('confirm.renew')}</button></form>`;
  const map: Partial<Record<string, SafeHtml>> = {
    SIGNATURE_ALREADY_CONFIRMED: html`<p>${t('confirm.already')}</p>`,
    TOKEN_EXPIRED: html`<p>${t('confirm.expired')}</p>${renew}`,
    TOKEN_USED: html`<p>${t('confirm.used')}</p>${renew}`,
    LETTER_CLOSED: html`<p>${t('confirm.closed')}</p>`,
  };
  return page(t, base, t('confirm.title'), messagePage(t, t('confirm.title'), map[code] ?? html`<p>${t('confirm.invalid')}</p>`), alternates);
}

/** After asking for a new link: what happened, in one sentence. */
export function renewedPage(t: T, base: string, message: string): string {
  return page(t, base, t('confirm.title'), messagePage(t, t('confirm.title'), message));
}
