/** The desk's smaller pages: the confirmation of a state change and the audit trail. */
import type { AuditEntry } from '../../../../core/organisers/policy.ts';
import type { LetterState } from '../../../../core/model.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField } from '../forms.ts';
import { html } from '../html.ts';
import { layout } from '../layout.ts';

type Key = Parameters<T>[0];

export function stateConfirmPage(t: T, base: string, o: { me: string; slug: string; title: string; from: LetterState; to: LetterState; csrf: string; count: number }): string {
  const verb = o.to === 'closed' ? 'close' : o.from === 'closed' ? 'reopen' : 'publish';
  const body = html`<section><p><a href="/${t.lang}/organise">${t('desk.back')}</a></p>
<h1>${t(`desk.confirm.${verb}.title` as Key)}: <bdi>${o.title}</bdi></h1>
<p>${t(`desk.confirm.${verb}` as Key, { count: o.count })}</p>
<form method="post" action="/${t.lang}/organise/letters/${o.slug}/state">${csrfField(o.csrf)}<input type="hidden" name="to" value="${o.to}">
<button type="submit" class="primary">${t(`desk.confirm.${verb}.button` as Key)}</button> <a href="/${t.lang}/organise">${t('desk.cancel')}</a></form></section>`;
  return layout({ t, title: t(`desk.confirm.${verb}.title` as Key), body, baseUrl: base, signedInAs: o.me, noindex: true });
}

function detail(t: T, e: AuditEntry): string {
  return Object.entries(e.detail).map(([k, v]) => `${k}: ${typeof v === 'number' ? t.number(v) : String(v)}`).join(', ');
}

export function auditPage(t: T, base: string, o: { me: string; slug: string; title: string; entries: AuditEntry[] }): string {
  const rows = o.entries.map((e) => html`<tr><td>${t.date(e.at)} <span class="hint" dir="ltr">${e.at.slice(11, 19)}</span></td>
<td><bdi dir="ltr">${e.actor === 'operator' ? t('desk.audit.operator') : e.actor}</bdi></td><td>${t(`desk.audit.action.${e.action}` as Key)}</td>
<td><bdi dir="ltr" class="hint">${detail(t, e)}</bdi></td></tr>`);
  const body = html`<section class="wide"><p><a href="/${t.lang}/organise">${t('desk.back')}</a></p>
<h1>${t('desk.audit')}: <bdi>${o.title}</bdi></h1><p class="hint">${t('desk.audit.hint')}</p>
${o.entries.length ? html`<table class="signatures"><thead><tr><th scope="col">${t('desk.audit.when')}</th><th scope="col">${t('desk.audit.who')}</th>
<th scope="col">${t('desk.audit.what')}</th><th scope="col">${t('desk.audit.detail')}</th></tr></thead><tbody>${rows}</tbody></table>` : html`<p>${t('desk.audit.none')}</p>`}</section>`;
  return layout({ t, title: t('desk.audit'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}
