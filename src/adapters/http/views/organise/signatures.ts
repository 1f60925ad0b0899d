/**
 * The organisers' table of a letter's signatures: a filter form (a name in any script, state, source, country,
 * dates), counts per state, a page of rows, exports (CSV; with addresses for owners), and bulk removal in steps:
 * filter, preview (how many, a sample), confirm with a reason, result.
 */
import type { FieldError } from '../../../../core/errors.ts';
import { SIGNATURE_SOURCES, SIGNATURE_STATES, type SignatureFilter, type SignatureState } from '../../../../core/organisers/signature-filter.ts';
import type { OrganiserRole } from '../../../../core/organisers/policy.ts';
import type { OrganiserSignatureRow } from '../../../../use-cases/reads/organiser-signatures.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField, fieldError } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

const REASONS = ['fraud', 'duplicate', 'legal', 'signer'] as const;
type Key = Parameters<T>[0];
const FILTER_KEYS = ['q', 'state', 'source', 'country', 'from', 'to', 'mail'] as const;

export interface SignaturesView {
  me: string;
  slug: string;
  title: string;
  role: OrganiserRole;
  csrf: string;
  filter: SignatureFilter;
  rows: OrganiserSignatureRow[];
  total: number;
  page: number;
  pages: number;
  counts: Record<SignatureState, number>;
  /** How many of the letter's signers have an address a mail server refused for good. */
  undeliverable?: number | undefined;
  errors?: FieldError[] | undefined;
  /** Owners: whether the letter page shows its notable signatories, and whether it was just saved. */
  showNotable?: boolean | undefined;
  notableSaved?: boolean | undefined;
}

/** Owners: add paper signatures, and the notable signatories option. */
function ownerTools(t: T, o: SignaturesView, action: string): SafeHtml {
  if (o.role !== 'owner') return html``;
  return html`<div class="desk-actions"><a class="button" href="${action}/import">${t('desk.import.link')}</a></div>
<form method="post" action="${action}/notable" class="notable-option">${csrfField(o.csrf)}
<fieldset class="field"><legend>${t('desk.notable.heading')}</legend>
<label class="choice"><input type="checkbox" name="show" value="1"${o.showNotable ? html` checked` : ''}> ${t('desk.notable.label')}</label></fieldset>
<button type="submit">${t('desk.notable.save')}</button>${o.notableSaved ? html` <span role="status">${t('desk.notable.saved')}</span>` : ''}</form>`;
}

function query(f: SignatureFilter, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) p.set(k, String(f[k]));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The filter as hidden fields: the preview and the confirmation remove exactly what the table showed. */
function hiddenFilter(f: SignatureFilter): SafeHtml[] {
  return FILTER_KEYS.filter((k) => f[k]).map((k) => html`<input type="hidden" name="${k}" value="${String(f[k])}">`);
}

/** With `vet`, each title has its button to mark it checked (or unmark it). */
type Vet = { csrf: string; action: string; back: string };

function titleCell(t: T, r: OrganiserSignatureRow, vet?: Vet): SafeHtml {
  if (!r.title) return html``;
  const mark = r.titleChecked ? html` <span class="checked">✓ ${t('desk.title.checked')}</span>` : html` <span class="self">(${t('desk.title.self')})</span>`;
  const button = vet ? html`<form method="post" action="${vet.action}/${r.id}/title" class="inline">${csrfField(vet.csrf)}<input type="hidden" name="checked" value="${r.titleChecked ? '0' : '1'}"><input type="hidden" name="back" value="${vet.back}"><button type="submit" class="small">${r.titleChecked ? t('desk.title.uncheck') : t('desk.title.check')}</button></form>` : '';
  return html`<bdi>${r.title}</bdi>${mark}${vet ? html`<br>${button}` : ''}`;
}

/** The mark of an address refused for good; owners also read the server's answer and when (never public). */
function mailMark(t: T, r: OrganiserSignatureRow): SafeHtml {
  if (!r.mailUndeliverable) return html``;
  const mark = html`<span class="mail-refused">${t('desk.mail.refused')}</span>`;
  if (!r.mailRefusedReason) return html`<br>${mark}`;
  return html`<br><details class="mail-refused"><summary>${mark}</summary><p><span class="hint">${t('desk.mail.reason')}${r.mailRefusedAt ? html` · ${t.dateTime(r.mailRefusedAt)}` : ''}</span><br><code dir="ltr">${r.mailRefusedReason}</code></p></details>`;
}

function rowHtml(t: T, r: OrganiserSignatureRow, vet?: Vet): SafeHtml {
  return html`<tr${r.mailUndeliverable ? html` class="undeliverable"` : ''}><td><bdi class="name">${r.name}</bdi>${r.nameAlt ? html`<br><bdi class="alt">${r.nameAlt}</bdi>` : ''}</td>
<td>${titleCell(t, r, vet)}</td><td>${r.country ?? ''}</td>
<td>${t(`desk.state.${r.state}`)}${mailMark(t, r)}</td><td>${t(`desk.source.${r.source}`)}</td><td>${t.date(r.createdAt)}</td></tr>`;
}

export function sampleTable(t: T, rows: OrganiserSignatureRow[], vet?: Vet): SafeHtml {
  return html`<table class="signatures"><thead><tr><th scope="col">${t('desk.col.name')}</th><th scope="col">${t('desk.col.title')}</th>
<th scope="col">${t('desk.col.country')}</th><th scope="col">${t('desk.col.state')}</th><th scope="col">${t('desk.col.source')}</th>
<th scope="col">${t('desk.col.date')}</th></tr></thead><tbody>${rows.map((r) => rowHtml(t, r, vet))}</tbody></table>`;
}

function filterForm(t: T, o: SignaturesView): SafeHtml {
  const f = o.filter;
  const errors = o.errors ?? [];
  const select = (name: 'state' | 'source', options: readonly string[]) => html`<div class="field"><label for="${name}">${t(`desk.filter.${name}`)}</label>
<select id="${name}" name="${name}"><option value="">${t('desk.filter.any')}</option>${options.map((v) => html`<option value="${v}"${f[name] === v ? html` selected` : ''}>${t(`desk.${name}.${v}` as Key)}</option>`)}</select></div>`;
  const text = (name: 'q' | 'country' | 'from' | 'to', type = 'text', dir: 'auto' | 'ltr' = 'auto') => html`<div class="field${errors.some((e) => e.field === name) ? ' has-error' : ''}"><label for="${name}">${t(`desk.filter.${name}`)}</label>
<input id="${name}" name="${name}" type="${type}" dir="${dir}" value="${f[name] ?? ''}">${fieldError(t, errors, name)}</div>`;
  return html`<form method="get" action="/${t.lang}/organise/letters/${o.slug}/signatures" class="filters" role="search">
${text('q')}${select('state', SIGNATURE_STATES)}${select('source', SIGNATURE_SOURCES)}<div class="field"><label for="mail">${t('desk.filter.mail')}</label>
<select id="mail" name="mail"><option value="">${t('desk.filter.any')}</option><option value="undeliverable"${f.mail === 'undeliverable' ? html` selected` : ''}>${t('desk.mail.undeliverable')}</option></select></div>${text('country', 'text', 'ltr')}${text('from', 'date', 'ltr')}${text('to', 'date', 'ltr')}
<div class="field"><button type="submit">${t('desk.filter.apply')}</button> <a href="/${t.lang}/organise/letters/${o.slug}/signatures">${t('desk.filter.clear')}</a></div></form>`;
}

export function signaturesPage(t: T, base: string, o: SignaturesView): string {
  const counts = SIGNATURE_STATES.map((s) => html`<li><a href="/${t.lang}/organise/letters/${o.slug}/signatures?state=${s}">${t(`desk.state.${s}`)}: ${t.number(o.counts[s])}</a></li>`);
  const action = `/${t.lang}/organise/letters/${o.slug}`;
  const pager = o.pages > 1 ? html`<nav class="pager" aria-label="${t('desk.pages')}">
${o.page > 1 ? html`<a href="${action}/signatures${query(o.filter, { page: String(o.page - 1) })}" rel="prev">${t('desk.prev')}</a>` : html`<span></span>`}
<span>${t('desk.page', { page: t.number(o.page), pages: t.number(o.pages) })}</span>
${o.page < o.pages ? html`<a href="${action}/signatures${query(o.filter, { page: String(o.page + 1) })}" rel="next">${t('desk.next')}</a>` : html`<span></span>`}</nav>` : '';
  const body = html`<section class="wide"><p><a href="/${t.lang}/organise">${t('desk.back')}</a></p>
<h1>${t('desk.signatures')}: <bdi>${o.title}</bdi></h1>
<ul class="counts">${counts}</ul>
${o.undeliverable ? html`<p class="notice mail-refused-count"><a href="${action}/signatures?mail=undeliverable">${t('desk.mail.count', { count: o.undeliverable })}</a></p>` : ''}
<p><a href="${action}/held">${t('desk.held.sources')} · ${t('desk.held.heading')}</a></p>
${filterForm(t, o)}
<p role="status">${t('desk.matching', { count: o.total })}</p>
${o.rows.length ? sampleTable(t, o.rows, { csrf: o.csrf, action: `${action}/signatures`, back: `${action}/signatures${query(o.filter, o.page > 1 ? { page: String(o.page) } : {})}` }) : html`<p>${t('desk.noneMatching')}</p>`}
${pager}
<div class="desk-actions">
<form method="post" action="${action}/signatures.csv" class="inline">${csrfField(o.csrf)}${hiddenFilter(o.filter)}<button type="submit">${t('desk.export.csv')}</button></form>
${o.role === 'owner' ? html`<form method="post" action="${action}/signatures.csv" class="inline">${csrfField(o.csrf)}${hiddenFilter(o.filter)}<input type="hidden" name="emails" value="1"><button type="submit">${t('desk.export.emails')}</button></form>` : ''}
<form method="post" action="${action}/removals" class="inline">${csrfField(o.csrf)}${hiddenFilter(o.filter)}<input type="hidden" name="step" value="preview"><button type="submit">${t('desk.remove.start')}</button></form>
</div>
<p class="hint">${o.role === 'owner' ? t('desk.export.hint') : t('desk.export.hintModerator')}</p>
${ownerTools(t, o, action)}</section>`;
  return layout({ t, title: t('desk.signatures'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}

export function removalPreviewPage(t: T, base: string, o: { me: string; slug: string; title: string; csrf: string; filter: SignatureFilter; count: number; sample: OrganiserSignatureRow[]; errors?: FieldError[] | undefined; changed?: boolean }): string {
  const action = `/${t.lang}/organise/letters/${o.slug}`;
  const errors = o.errors ?? [];
  const body = html`<section class="wide"><p><a href="${action}/signatures${query(o.filter)}">${t('desk.remove.back')}</a></p>
<h1>${t('desk.remove.title')}: <bdi>${o.title}</bdi></h1>
${o.changed ? html`<p class="notice" role="alert">${t('desk.remove.changed')}</p>` : ''}
<p role="status" class="notice">${t('desk.remove.wouldRemove', { count: o.count })}</p>
${o.sample.length ? html`<h2>${t('desk.remove.sample', { count: o.sample.length })}</h2>${sampleTable(t, o.sample)}` : ''}
${o.count ? html`<form method="post" action="${action}/removals">${csrfField(o.csrf)}${hiddenFilter(o.filter)}<input type="hidden" name="step" value="confirm">
<input type="hidden" name="expected" value="${String(o.count)}">
<fieldset class="field${errors.length ? ' has-error' : ''}"><legend>${t('desk.remove.reason')}</legend>
${REASONS.map((r) => html`<label class="choice"><input type="radio" name="reason" value="${r}" required> ${t(`desk.reason.${r}`)}</label>`)}
${fieldError(t, errors, 'reason')}</fieldset>
<p class="hint">${t('desk.remove.public')}</p>
<button type="submit" class="danger">${t('desk.remove.confirm', { count: o.count })}</button></form>` : ''}</section>`;
  return layout({ t, title: t('desk.remove.title'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}

export function removalDonePage(t: T, base: string, o: { me: string; slug: string; title: string; count: number; skipped: number; reason: string }): string {
  const body = html`<section><h1>${t('desk.remove.done.title')}: <bdi>${o.title}</bdi></h1>
<p role="status" class="notice">${t('desk.remove.done', { count: o.count, reason: t(`desk.reason.${o.reason}` as Key) })}</p>
${o.skipped ? html`<p>${t('desk.remove.skipped', { count: o.skipped })}</p>` : ''}
<p><a href="/${t.lang}/organise/letters/${o.slug}/signatures">${t('desk.signatures')}</a></p></section>`;
  return layout({ t, title: t('desk.remove.done.title'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}
