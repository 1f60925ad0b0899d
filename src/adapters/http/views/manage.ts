/**
 * The signer's "manage my signature" pages: what we keep about them, the visibility of their name, withdrawal,
 * their data as JSON, erasure (a page that asks first). Every action is a POST; the token travels in the body.
 */
import type { LetterWithText } from '../../../core/model.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import { languageLabel } from './layout.ts';
import type { ManageView } from '../../../use-cases/reads/manage-view.ts';
import type { T } from '../../i18n/index.ts';
import { html, type SafeHtml } from './html.ts';
import { layout, type Alternate } from './layout.ts';
import { messagePage } from './message.ts';

const page = (t: T, base: string, title: string, body: SafeHtml, alternates: Alternate[] = []) => layout({ t, title, body, baseUrl: base, noindex: true, alternates });

/** The letter's title in its own language and direction, isolated in the sentence around it. */
function letterTitle(t: T, letter: LetterWithText): SafeHtml {
  const v = (versionFor(letter, t.lang) ?? letter.versions[0])!;
  return html`<bdi lang="${v.lang}">${v.title}</bdi>`;
}

const tokenField = (token: string) => html`<input type="hidden" name="token" value="${token}">`;

/** What an action said, shown above everything after the redirect back (`done` in the URL). */
export type ManageNotice = 'public' | 'hidden' | 'unchanged' | 'withdrawn';

function row(label: string, value: SafeHtml | string | undefined): SafeHtml {
  return html`<dt>${label}</dt><dd>${value === undefined || value === '' ? '—' : value}</dd>`;
}

/** The manage page of a valid link. `alert`: a refused post (another site, a bad choice), shown first. */
export function managePage(t: T, base: string, view: ManageView, token: string, opts: { notice?: ManageNotice | undefined; alert?: string | undefined; alternates?: Alternate[] } = {}): string {
  const { letter, signature: s, entries } = view;
  const active = s.status === 'pending' || s.status === 'confirmed';
  const notice = opts.notice && html`<div class="notice" role="status">${t(`manage.done.${opts.notice}`)}</div>`;
  const alert = opts.alert && html`<div class="alert" role="alert">${opts.alert}</div>`;
  const state = t(`manage.state.${s.status}`);
  const log = entries.length
    ? html`<ul class="entries">${entries.map((e) => html`<li>${t(`manage.entry.${e.kind}`)} — ${e.index !== undefined && e.index < view.logSize ? t('manage.entry.index', { index: t.number(e.index) }) : t('manage.entry.queued')} · ${t.dateTime(new Date(e.time * 1000).toISOString())}${e.kind === 'remove' && e.reason ? html` (${t(`desk.reason.${e.reason}`)})` : ''}</li>`)}</ul>`
    : html`<p>${t('manage.log.none')}</p>`;
  const body = html`<section class="message manage"><h1>${t('manage.title')}</h1>
${alert}${notice}
<p>${t('manage.intro', { title: '\u0000' }).split('\u0000').map((part, i) => (i ? html`${letterTitle(t, letter)}${part}` : html`${part}`))}</p>
<p class="hint">${t('manage.private')}</p>
<h2 id="stored">${t('manage.stored')}</h2>
<dl class="facts">
${row(t('manage.field.name'), html`<bdi>${s.name}</bdi>`)}
${row(t('manage.field.nameAlt'), s.nameAlt ? html`<bdi>${s.nameAlt}</bdi>` : undefined)}
${row(t('manage.field.title'), s.title ? html`<bdi>${s.title}</bdi>` : undefined)}
${row(t('manage.field.country'), s.country ? t.country(s.country) : undefined)}
${row(t('manage.field.email'), html`<bdi dir="ltr">${s.email}</bdi>`)}
${row(t('manage.visibility'), t(`manage.visibility.${s.visibility}`))}
${row(t('manage.state'), state)}
${row(t('manage.language'), html`<span lang="${s.lang}">${languageLabel(s.lang)}</span>`)}
${row(t('manage.updates'), s.consentUpdates ? t('manage.updates.yes') : t('manage.updates.no'))}
${row(t('manage.signedAt'), t.dateTime(s.createdAt))}
${s.confirmedAt ? row(t('manage.confirmedAt'), t.dateTime(s.confirmedAt)) : ''}
${s.withdrawnAt ? row(t('manage.withdrawnAt'), t.dateTime(s.withdrawnAt)) : ''}
</dl>
<h2 id="log">${t('manage.log')}</h2>
<p class="hint">${t('manage.log.explain')}</p>
${log}
${active
  ? html`<h2 id="visibility">${t('manage.visibility.heading')}</h2>
<form method="post" action="/${t.lang}/manage/visibility">${tokenField(token)}
<fieldset class="field"><legend>${t('sign.visibility')}</legend>
<label class="choice"><input type="radio" name="visibility" value="public"${s.visibility === 'public' ? html` checked` : ''}> ${t('sign.visibility.public')}</label>
<label class="choice"><input type="radio" name="visibility" value="hidden"${s.visibility === 'hidden' ? html` checked` : ''}> ${t('sign.visibility.hidden')}</label>
</fieldset>
<button type="submit">${t('manage.visibility.save')}</button></form>
<h2 id="withdraw">${t('withdraw.title')}</h2>
<p>${t('manage.withdraw.body')}</p>
<form method="post" action="/${t.lang}/manage/withdraw">${tokenField(token)}<button type="submit">${t('withdraw.button')}</button></form>`
  : html`<p class="notice">${t('receipt.withdrawn')}</p>`}
<h2 id="download">${t('manage.download.heading')}</h2>
<p>${t('manage.download.body')}</p>
<form method="post" action="/${t.lang}/manage/export">${tokenField(token)}<button type="submit">${t('manage.download.button')}</button></form>
<h2 id="erase">${t('manage.erase.heading')}</h2>
<p>${t('manage.erase.body')}</p>
<p><a class="button" href="/${t.lang}/manage/erase?token=${encodeURIComponent(token)}">${t('manage.erase.next')}</a></p>
<p><a href="/${t.lang}/privacy#public">${t('manage.privacy')}</a></p>
</section>`;
  return page(t, base, t('manage.title'), body, opts.alternates);
}

/** The page that asks before erasing, and says what stays. */
export function eraseAskPage(t: T, base: string, view: ManageView, token: string, alternates: Alternate[] = [], alert?: string): string {
  const confirmed = view.signature.status === 'confirmed';
  const body = messagePage(t, t('manage.erase.ask'), html`${alert ? html`<div class="alert" role="alert">${alert}</div>` : ''}
<p>${t('manage.erase.deleted')}</p>
${confirmed ? html`<p>${t('manage.erase.withdrawFirst')}</p>` : ''}
<p>${t('manage.erase.stays')}</p>
<p><strong>${t('manage.erase.final')}</strong></p>
<form method="post" action="/${t.lang}/manage/erase">${tokenField(token)}<button type="submit" class="danger">${t('manage.erase.button')}</button></form>
<p><a href="/${t.lang}/manage?token=${encodeURIComponent(token)}">${t('manage.back')}</a></p>`);
  return page(t, base, t('manage.erase.ask'), body, alternates);
}

/** Erased: what was done, and the way back to the letter. */
export function erasedPage(t: T, base: string, slug: string, lang: string, alternates: Alternate[] = []): string {
  return page(t, base, t('manage.erased.title'), messagePage(t, t('manage.erased.title'), html`<p>${t('manage.erased.body')}</p><p><a href="/${lang}/letters/${slug}">${t('sign.thanks.back')}</a></p>`), alternates);
}

/** A manage link that opens nothing (mistyped, not a manage link, or its data was erased). */
export function manageInvalidPage(t: T, base: string, alternates: Alternate[] = []): string {
  return page(t, base, t('manage.title'), messagePage(t, t('manage.title'), t('manage.invalid')), alternates);
}
