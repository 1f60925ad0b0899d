/**
 * The organiser's dashboard: their letters under column headers, each by its title (in the page's language when the
 * letter has it), its state, signatures per state, and its actions as separate links; publishing and closing go
 * through a confirmation page (views/organise/state.ts), never one click.
 */
import type { DashboardRow } from '../../../../use-cases/reads/organiser-views.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField } from '../forms.ts';
import { html } from '../html.ts';
import { layout, type Alternate } from '../layout.ts';
import { directionOf } from '../../../../core/text.ts';

export function dashboardPage(t: T, base: string, me: string, csrf: string, rows: DashboardRow[], alternates: Alternate[]): string {
  const items = rows.map(({ letter: l, count, openReviews, next, titles, states, role, undeliverable }) => {
    const label = l.state === 'draft' ? t('organise.publish') : l.state === 'open' ? t('organise.close') : t('organise.reopen');
    const titleLang = titles[t.lang] ? t.lang : titles[l.defaultLang] ? l.defaultLang : Object.keys(titles)[0] ?? t.lang;
    const title = titles[titleLang] ?? l.slug;
    const links = [
      html`<a href="/${titleLang}/letters/${l.slug}">${t('organise.view')}</a>`,
      html`<a href="/${t.lang}/organise/letters/${l.slug}/signatures">${t('desk.signatures')}</a>`,
      html`<a href="/${t.lang}/organise/letters/${l.slug}/reviews">${t('review.link', { count: openReviews })}</a>`,
      ...(role === 'owner' ? [
        html`<a href="/${t.lang}/organise/letters/${l.slug}/edit">${t('organise.edit')}</a>`,
        html`<a href="/${t.lang}/organise/letters/${l.slug}/audit">${t('desk.audit')}</a>`,
        ...(l.state === 'draft' ? [] : [html`<a href="/${t.lang}/organise/letters/${l.slug}/updates">${t('desk.updates')}</a>`]),
        html`<a href="/${t.lang}/organise/letters/${l.slug}/state?to=${next}">${label}</a>`,
      ] : []),
    ];
    return html`<tr><th scope="row"><bdi lang="${titleLang}" dir="${directionOf(titleLang)}">${title}</bdi><br><span class="hint" dir="ltr">/${l.slug}</span></th>
<td>${t(`organise.state.${l.state}`)}${role === 'moderator' ? html`<br><span class="hint">${t('desk.role.moderator')}</span>` : ''}</td>
<td><strong>${t.number(count)}</strong><br><span class="hint">${t('desk.dash.states', { pending: t.number(states.pending), held: t.number(states.held), withdrawn: t.number(states.withdrawn), removed: t.number(states.removed) })}</span>${undeliverable ? html`<br><a class="mail-refused-count" href="/${t.lang}/organise/letters/${l.slug}/signatures?mail=undeliverable">${t('desk.mail.count', { count: undeliverable })}</a>` : ''}</td>
<td><ul class="actions">${links.map((a) => html`<li>${a}</li>`)}</ul></td></tr>`;
  });
  const body = html`<section class="wide"><p class="hint">${t('organise.signedInAs', { email: me })}</p>
<form method="post" action="/${t.lang}/organise/logout" class="inline">${csrfField(csrf)}<button type="submit">${t('organise.logout')}</button></form>
<h1>${t('organise.yourLetters')}</h1>
<p><a class="button primary" href="/${t.lang}/organise/new">${t('organise.new')}</a></p>
${rows.length ? html`<table class="letters"><thead><tr><th scope="col">${t('desk.dash.letter')}</th><th scope="col">${t('desk.dash.state')}</th>
<th scope="col">${t('desk.dash.signatures')}</th><th scope="col">${t('desk.dash.actions')}</th></tr></thead><tbody>${items}</tbody></table>` : html`<p>${t('organise.none')}</p>`}</section>`;
  return layout({ t, title: t('organise.yourLetters'), body, baseUrl: base, alternates, signedInAs: me, noindex: true });
}
