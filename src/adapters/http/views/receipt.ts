/**
 * The signer's receipt pages: the private receipt page (its downloads and the withdrawal button) and the receipt
 * check that runs in the browser (/:lang/verify, /:lang/receipts/:token/verify; the script is browser/).
 */
import type { SignerView } from '../../../use-cases/reads/signer-view.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import type { T } from '../../i18n/index.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { bidiIsolate } from './bidi.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type Alternate } from './layout.ts';
import { messagePage } from './message.ts';

/** The receipt checker's script (served by pages/receipts.ts). */
export const CHECKER = '/assets/receipt-check.js';
const VERIFY_KEYS: MessageKey[] = [
  'verify.running', 'verify.key', 'verify.ok.checkpoint', 'verify.ok.inclusion', 'verify.ok.entry', 'verify.ok.consistent', 'verify.ok.active',
  'verify.bad.cancelled', 'verify.ok.name', 'verify.bad.name', 'verify.ok.contact', 'verify.bad.contact', 'verify.fail', 'verify.done.ok', 'verify.done.bad',
];

/** The checker's strings for the page language, raw (the script fills in {placeholders} itself). */
function checkerMessages(t: T): string {
  return JSON.stringify(Object.fromEntries(VERIFY_KEYS.map((k) => [k, t(k, { size: '{size}', index: '{index}', letter: '{letter}', time: '{time}', key: '{key}', type: '{type}', reason: '{reason}', name: '{name}', email: '{email}', message: '{message}' })])));
}

function checker(t: T, opts: { receipt?: string; sidecar?: string }): SafeHtml {
  return html`<section id="receipt-check" class="receipt-check" hidden data-lang="${t.lang}" data-locale="${t.locale}" data-messages="${checkerMessages(t)}"${opts.receipt ? html` data-receipt="${opts.receipt}"` : ''}${opts.sidecar ? html` data-sidecar="${opts.sidecar}"` : ''}>
<form>
  <div class="field"><label for="receipt">${t('verify.file')}</label><input type="file" id="receipt" name="receipt" accept=".tlog-proof,text/plain"></div>
  <div class="field"><label for="sidecar">${t('verify.sidecarFile')}</label><input type="file" id="sidecar" name="sidecar" accept=".json,application/json"></div>
  <div class="field"><label for="name">${t('verify.name')}</label><input type="text" id="name" name="name" dir="auto"></div>
  <button type="submit" class="primary">${t('verify.button')}</button>
</form>
<p class="summary" aria-live="polite"></p>
<ol class="checks"></ol>
</section>
<noscript><p class="notice">${t('verify.noscript')}</p></noscript>`;
}

const privatePage = (t: T, base: string, title: string, body: SafeHtml, extra: { scripts?: string[]; refreshSeconds?: number | undefined; alternates?: Alternate[] } = {}) =>
  layout({ t, title, body, baseUrl: base, noindex: true, ...extra });

/** The receipt page of a valid link: what the log holds of the signature so far, and the withdrawal button. */
export function receiptPage(t: T, base: string, view: SignerView, token: string, alternates: Alternate[] = []): string {
  const { letter, signature, log } = view;
  const title = (versionFor(letter, t.lang) ?? letter.versions[0])!.title;
  const here = `/${t.lang}/receipts/${encodeURIComponent(token)}`;
  const parts: SafeHtml[] = [];
  let refresh: number | undefined;
  if (log?.erasedAt) parts.push(html`<p>${t('receipt.erased')}</p>`);
  else if (signature.status === 'pending') parts.push(html`<p>${t('receipt.pendingSignature')}</p>`);
  else if (signature.status === 'held') parts.push(html`<p class="notice">${t('receipt.held')}</p>`);
  else if (!view.sequenced) {
    parts.push(html`<p class="notice">${t('receipt.pending')}</p>`);
    refresh = 3;
  } else {
    parts.push(html`<p>${t('receipt.intro', { title: bidiIsolate(title), index: t.number(log!.logIndex!) })}</p><p>${t('receipt.explain')}</p>
<ul class="downloads">
<li><a href="${here}/receipt.tlog-proof" download>${t('receipt.download')}</a></li>
<li><a href="${here}/receipt.json" download>${t('receipt.sidecar')}</a></li>
<li><a href="${here}/verify">${t('receipt.verify')}</a></li>
</ul>`);
  }
  if (signature.status === 'withdrawn' || signature.status === 'invalidated') parts.push(html`<p class="notice">${t('receipt.withdrawn')}</p>`);
  else if ((signature.status === 'confirmed' || signature.status === 'held') && !log?.erasedAt) {
    parts.push(html`<section class="withdraw"><h2>${t('withdraw.title')}</h2><p>${t('withdraw.body', { title: bidiIsolate(title) })}</p>
<form method="post" action="/${t.lang}/withdraw"><input type="hidden" name="token" value="${token}"><button type="submit">${t('withdraw.button')}</button></form></section>`);
  }
  return privatePage(t, base, t('receipt.title'), messagePage(t, t('receipt.title'), html`${parts}`), { refreshSeconds: refresh, alternates });
}

/** A receipt link that is not valid. */
export function receiptInvalidPage(t: T, base: string, alternates: Alternate[] = []): string {
  return privatePage(t, base, t('receipt.title'), messagePage(t, t('receipt.title'), t('withdraw.invalid')), { alternates });
}

/** The check of this receipt, its files filled in. */
export function receiptVerifyPage(t: T, base: string, token: string, alternates: Alternate[] = []): string {
  const here = `/${t.lang}/receipts/${encodeURIComponent(token)}`;
  const body = messagePage(t, t('verify.title'), html`<p>${t('verify.intro')}</p>${checker(t, { receipt: `${here}/receipt.tlog-proof`, sidecar: `${here}/receipt.json` })}`);
  return privatePage(t, base, t('verify.title'), body, { scripts: [CHECKER], alternates });
}

/** The public check of any receipt. */
export function verifyPage(t: T, base: string, alternates: Alternate[]): string {
  const body = messagePage(t, t('verify.title'), html`<p>${t('verify.intro')}</p>${checker(t, {})}`);
  return layout({ t, title: t('verify.title'), body, baseUrl: base, alternates, scripts: [CHECKER] });
}
