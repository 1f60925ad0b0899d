/**
 * The desk's import of paper (or imported) signatures, in steps: upload a CSV file and say where it comes from;
 * preview (how many, how many resemble signatures on the letter, the first rows as they will be published, or every
 * problem by line); confirm; result.
 */
import type { AddedRow, RowProblem } from '../../../../core/organisers/signature-rows.ts';
import { FIELD_ERROR_CODES, type FieldErrorCode } from '../../../../core/errors.ts';
import type { ImportSignaturesResult } from '../../../../use-cases/import-signatures.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';

type Key = Parameters<T>[0];

export interface ImportView {
  me: string;
  slug: string;
  title: string;
  csrf: string;
}

const COLUMN_LABEL: Record<string, Key> = { name: 'desk.col.name', nameAlt: 'sign.nameAlt', title: 'desk.col.title', country: 'desk.col.country', lang: 'nav.language', visibility: 'sign.visibility' };

/** One problem in words: the line, the column, what is wrong (field codes say it as the sign form does). */
function problemText(t: T, p: RowProblem): string {
  const what = (FIELD_ERROR_CODES as readonly string[]).includes(p.code)
    ? t(`field.${p.code as FieldErrorCode}`, { limit: p.limit ?? 0 })
    : p.code === 'UNKNOWN_COLUMN'
      ? t('desk.import.code.UNKNOWN_COLUMN', { column: p.field })
      : t(`desk.import.code.${p.code}` as Key, { limit: t.number(p.limit ?? 0) });
  const column = p.code !== 'UNKNOWN_COLUMN' && p.field && COLUMN_LABEL[p.field] ? `${t(COLUMN_LABEL[p.field]!)}: ` : '';
  return `${column}${what}`;
}

function sourceChoice(t: T, selected: string): SafeHtml {
  return html`<fieldset class="field"><legend>${t('desk.import.source')}</legend>
${(['paper', 'imported'] as const).map((s) => html`<label class="choice"><input type="radio" name="source" value="${s}"${selected === s ? html` checked` : ''} required> ${t(`desk.import.source.${s}`)}</label>`)}
</fieldset>`;
}

export function importPage(t: T, base: string, o: ImportView & { problems?: RowProblem[] | undefined; source?: string | undefined; message?: string | undefined }): string {
  const action = `/${t.lang}/organise/letters/${o.slug}`;
  const problems = o.problems ?? [];
  const body = html`<section class="wide"><p><a href="${action}/signatures">${t('desk.signatures')}</a></p>
<h1>${t('desk.import.heading')}: <bdi>${o.title}</bdi></h1>
${o.message ? html`<p class="notice" role="alert">${o.message}</p>` : ''}
${problems.length ? html`<div class="error-summary" role="alert" tabindex="-1"><p>${t('desk.import.problems')}</p><ul class="problems">${problems.map((p) => html`<li>${p.line ? html`<strong>${t('desk.import.line', { line: t.number(p.line) })}</strong>: ` : ''}${problemText(t, p)}</li>`)}</ul></div>` : ''}
<p>${t('desk.import.intro')}</p>
<form method="post" action="${action}/import" enctype="multipart/form-data">${csrfField(o.csrf)}
<input type="hidden" name="step" value="preview">
<div class="field"><label for="file">${t('desk.import.file')}</label><input id="file" name="file" type="file" accept=".csv,text/csv" required></div>
${sourceChoice(t, o.source ?? 'paper')}
<button type="submit" class="primary">${t('desk.import.check')}</button></form></section>`;
  return layout({ t, title: t('desk.import.heading'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}

function sampleRows(t: T, rows: AddedRow[]): SafeHtml {
  return html`<table class="signatures"><thead><tr><th scope="col">#</th><th scope="col">${t('desk.col.name')}</th><th scope="col">${t('desk.col.title')}</th><th scope="col">${t('desk.col.country')}</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><td>${t.number(r.line)}</td><td><bdi class="name">${r.name}</bdi>${r.nameAlt ? html`<br><bdi class="alt">${r.nameAlt}</bdi>` : ''}</td><td>${r.title ? html`<bdi>${r.title}</bdi>` : ''}</td><td>${r.country ? t.country(r.country) : ''}</td></tr>`)}</tbody></table>`;
}

/** The preview: what would be added, and the confirmation carrying the same file's text. */
export function importPreviewPage(t: T, base: string, o: ImportView & { result: ImportSignaturesResult; csv: string }): string {
  const action = `/${t.lang}/organise/letters/${o.slug}`;
  const r = o.result;
  const sourceName = t(`desk.source.${r.source}`);
  const body = html`<section class="wide"><p><a href="${action}/import">${t('desk.import.heading')}</a></p>
<h1>${t('desk.import.heading')}: <bdi>${o.title}</bdi></h1>
${r.repeatOf ? html`<p class="notice" role="alert">${t('desk.import.repeat', { date: t.date(r.repeatOf.at) })}</p>` : html`<p class="notice" role="status">${t('desk.import.count', { count: r.count, source: sourceName })}</p>
${r.duplicates ? html`<p>${t('desk.import.duplicates', { count: r.duplicates })}</p>` : ''}`}
<h2>${t('desk.import.sample')}</h2>
${sampleRows(t, r.sample)}
${r.repeatOf ? '' : html`<form method="post" action="${action}/import" enctype="multipart/form-data">${csrfField(o.csrf)}
<input type="hidden" name="step" value="confirm"><input type="hidden" name="source" value="${r.source}"><input type="hidden" name="expected" value="${String(r.count)}">
<textarea name="csv" hidden aria-hidden="true">${o.csv}</textarea>
<button type="submit" class="primary">${t('desk.import.confirm', { count: r.count })}</button></form>`}</section>`;
  return layout({ t, title: t('desk.import.heading'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}

export function importDonePage(t: T, base: string, o: ImportView & { count: number; duplicates: number }): string {
  const action = `/${t.lang}/organise/letters/${o.slug}`;
  const body = html`<section><h1>${t('desk.import.heading')}: <bdi>${o.title}</bdi></h1>
<p class="notice" role="status">${t('desk.import.done', { count: o.count })}</p>
${o.duplicates ? html`<p><a href="${action}/reviews">${t('desk.import.duplicates', { count: o.duplicates })}</a></p>` : ''}
<p><a href="${action}/signatures?source=paper">${t('desk.signatures')}</a> · <a href="/${t.lang}/letters/${o.slug}">${o.title}</a></p></section>`;
  return layout({ t, title: t('desk.import.heading'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}
