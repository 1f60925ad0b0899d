/** The organiser's dashboard: their letters, each with its count, its reviews and the button of its next state. */
import type { DashboardRow } from '../../../../use-cases/reads/organiser-views.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField } from '../forms.ts';
import { html } from '../html.ts';
import { layout, type Alternate } from '../layout.ts';

export function dashboardPage(t: T, base: string, me: string, csrf: string, rows: DashboardRow[], alternates: Alternate[]): string {
  const items = rows.map(({ letter: l, count, openReviews, next }) => {
    const label = l.state === 'draft' ? t('organise.publish') : l.state === 'open' ? t('organise.close') : t('organise.reopen');
    return html`<tr><td><bdi>${l.slug}</bdi></td><td>${t(`organise.state.${l.state}`)}</td><td>${t.number(count)}</td>
<td class="actions"><a href="/${l.defaultLang}/letters/${l.slug}">${t('organise.view')}</a> <a href="/${t.lang}/organise/letters/${l.slug}/edit">${t('organise.edit')}</a> <a href="/${t.lang}/organise/letters/${l.slug}/reviews">${t('review.link', { count: t.number(openReviews) })}</a>
<form method="post" action="/${t.lang}/organise/letters/${l.slug}/state" class="inline">${csrfField(csrf)}<input type="hidden" name="to" value="${next}"><button type="submit">${label}</button></form></td></tr>`;
  });
  const body = html`<section><p class="hint">${t('organise.signedInAs', { email: me })}</p>
<form method="post" action="/${t.lang}/organise/logout" class="inline">${csrfField(csrf)}<button type="submit">${t('organise.logout')}</button></form>
<h1>${t('organise.yourLetters')}</h1>
<p><a class="button primary" href="/${t.lang}/organise/new">${t('organise.new')}</a></p>
${rows.length ? html`<table class="letters"><tbody>${items}</tbody></table>` : html`<p>${t('organise.none')}</p>`}</section>`;
  return layout({ t, title: t('organise.yourLetters'), body, baseUrl: base, alternates, signedInAs: me, noindex: true });
}
