/**
 * The organisers' held queue and sources (issue 15 items 7–8): signings per hour by source, held counts, and one
 * action per source (release or remove, previewed first); the held signatures with why each was held.
 */
import type { FieldError } from '../../../../core/errors.ts';
import type { HeldResult } from '../../../../use-cases/decide-held.ts';
import type { HeldView, SourceRow } from '../../../../use-cases/reads/held-sources.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField, fieldError } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';
import { sampleTable } from './signatures.ts';

type Key = Parameters<T>[0];
const REASONS = ['fraud', 'duplicate', 'legal', 'signer'] as const;

/** Signings per hour as a row of small bars (text for screen readers: the numbers themselves). */
function sparkline(t: T, perHour: number[]): SafeHtml {
  const max = Math.max(1, ...perHour);
  return html`<span class="spark" aria-label="${perHour.map((n) => t.number(n)).join(' ')}">${perHour.map((n) => html`<span class="bar b${String(Math.round((n / max) * 8))}"></span>`)}</span>`;
}

function sourceLabel(t: T, r: SourceRow): SafeHtml {
  if (r.kind === 'country') return html`${r.value ? t.country(r.value) : t('chart.country.none')}`;
  return html`<bdi dir="ltr"><code>${r.value}</code></bdi>`;
}

function actionForm(t: T, action: string, csrf: string, r: SourceRow, decision: 'release' | 'remove'): SafeHtml {
  return html`<form method="post" action="${action}" class="inline">${csrfField(csrf)}<input type="hidden" name="kind" value="${r.kind}"><input type="hidden" name="value" value="${r.value}">
<input type="hidden" name="decision" value="${decision}"><button type="submit"${decision === 'remove' ? html` class="danger"` : ''}>${t(decision === 'release' ? 'desk.held.release' : 'desk.held.remove')}</button></form>`;
}

export function heldPage(t: T, base: string, o: { me: string; slug: string; title: string; csrf: string; view: HeldView }): string {
  const action = `/${t.lang}/organise/letters/${o.slug}/held`;
  const v = o.view;
  const body = html`<section class="wide"><p><a href="/${t.lang}/organise/letters/${o.slug}/signatures">${t('desk.signatures')}</a></p>
<h1>${t('desk.held.heading')}: <bdi>${o.title}</bdi></h1>
<p>${t('desk.held.intro')}</p>
<h2>${t('desk.held.sources')}</h2>
<div class="scroll" role="region" aria-label="${t('desk.held.sources')}" tabindex="0"><table class="sources"><thead><tr><th scope="col">${t('desk.held.kind')}</th><th scope="col">${t('desk.held.col.source')}</th><th scope="col">${t('desk.held.col.lastHour')}</th>
<th scope="col">${t('desk.held.col.day')}</th><th scope="col">${t('desk.held.col.hours')}</th><th scope="col">${t('desk.held.col.held')}</th><th scope="col"></th></tr></thead>
<tbody>${v.sources.map((r) => html`<tr><td>${t(`desk.held.kind.${r.kind}` as Key)}</td><td>${sourceLabel(t, r)}</td><td>${t.number(r.lastHour)}</td><td>${t.number(r.lastDay)}</td>
<td>${sparkline(t, r.perHour)}</td><td>${t.number(r.held)}${r.heldPending ? html` <span class="hint">(+${t.number(r.heldPending)})</span>` : ''}</td>
<td>${r.held ? html`${actionForm(t, action, o.csrf, r, 'release')} ${actionForm(t, action, o.csrf, r, 'remove')}` : ''}</td></tr>`)}</tbody></table></div>
<h2>${t('desk.held.link', { count: t.number(v.heldTotal) })}</h2>
${v.held.length ? html`<table class="signatures"><thead><tr><th scope="col">${t('desk.col.name')}</th><th scope="col">${t('desk.col.country')}</th><th scope="col">${t('desk.held.reasons')}</th>
${v.owner ? html`<th scope="col">${t('desk.held.kind.domain')}</th>` : ''}<th scope="col">${t('desk.col.date')}</th></tr></thead><tbody>${v.held.map((r) => html`<tr><td><bdi>${r.name}</bdi></td><td>${r.country ? t.country(r.country) : ''}</td>
<td>${r.reasons.map((x) => t(`desk.held.reason.${x}` as Key)).join(', ')}</td>${v.owner ? html`<td><bdi dir="ltr">${r.domain ?? ''}</bdi></td>` : ''}<td>${t.date(r.createdAt)}</td></tr>`)}</tbody></table>` : html`<p>${t('desk.held.none')}</p>`}
</section>`;
  return layout({ t, title: t('desk.held.heading'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}

/** The preview of a release or removal of a whole source; the confirmation carries the count it showed. */
export function heldPreviewPage(t: T, base: string, o: { me: string; slug: string; title: string; csrf: string; kind: string; value: string; result: HeldResult; errors?: FieldError[] | undefined; changed?: boolean }): string {
  const action = `/${t.lang}/organise/letters/${o.slug}/held`;
  const errors = o.errors ?? [];
  const r = o.result;
  const body = html`<section class="wide"><p><a href="${action}">${t('desk.held.heading')}</a></p>
<h1>${t(r.decision === 'release' ? 'desk.held.release' : 'desk.held.remove')}</h1>
${o.changed ? html`<p class="notice" role="alert">${t('desk.remove.changed')}</p>` : ''}
<p role="status" class="notice">${t('desk.held.previewCount', { count: r.count })}</p>
${r.sample.length ? sampleTable(t, r.sample) : ''}
${r.count ? html`<form method="post" action="${action}">${csrfField(o.csrf)}<input type="hidden" name="kind" value="${o.kind}"><input type="hidden" name="value" value="${o.value}">
<input type="hidden" name="decision" value="${r.decision}"><input type="hidden" name="step" value="confirm"><input type="hidden" name="expected" value="${String(r.count)}">
${r.decision === 'remove' ? html`<fieldset class="field${errors.length ? ' has-error' : ''}"><legend>${t('desk.held.reason')}</legend>
${REASONS.map((x) => html`<label class="choice"><input type="radio" name="reason" value="${x}" required> ${t(`desk.reason.${x}`)}</label>`)}${fieldError(t, errors, 'reason')}</fieldset>` : ''}
<button type="submit"${r.decision === 'remove' ? html` class="danger"` : html` class="primary"`}>${t(r.decision === 'release' ? 'desk.held.release' : 'desk.held.remove')}</button></form>` : ''}</section>`;
  return layout({ t, title: t('desk.held.heading'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}

export function heldDonePage(t: T, base: string, o: { me: string; slug: string; result: HeldResult }): string {
  const body = html`<section><h1>${t('desk.held.heading')}</h1><p role="status" class="notice">${t('desk.held.done', { count: o.result.count })}</p>
${o.result.skipped ? html`<p>${t('desk.remove.skipped', { count: t.number(o.result.skipped) })}</p>` : ''}
<p><a href="/${t.lang}/organise/letters/${o.slug}/held">${t('desk.held.heading')}</a></p></section>`;
  return layout({ t, title: t('desk.held.heading'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}
