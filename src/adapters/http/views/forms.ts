import { html, type SafeHtml } from './html.ts';
import type { FieldError } from '../../../core/errors.ts';
import type { T } from '../../i18n/index.ts';

export type Values = Record<string, string | undefined>;

export function fieldError(t: T, errors: FieldError[], field: string): SafeHtml {
  const e = errors.find((x) => x.field === field);
  if (!e) return html``;
  return html`<p class="error" id="${field}-error">${t(`field.${e.code}`, { limit: e.limit ?? 0 })}</p>`;
}

export interface InputOpts {
  t: T;
  name: string;
  label: string;
  values: Values;
  errors: FieldError[];
  type?: string;
  required?: boolean;
  hint?: string | undefined;
  maxlength?: number;
  autocomplete?: string;
  dir?: 'auto' | 'rtl' | 'ltr';
  multiline?: boolean;
}

/** A labelled input that comes back filled in, with its error next to it and linked by aria-describedby. */
export function input(o: InputOpts): SafeHtml {
  const err = o.errors.some((e) => e.field === o.name);
  const describedBy = [o.hint ? `${o.name}-hint` : '', err ? `${o.name}-error` : ''].filter(Boolean).join(' ') || undefined;
  const v = o.values[o.name] ?? '';
  const control = o.multiline
    ? html`<textarea id="${o.name}" name="${o.name}" dir="${o.dir ?? 'auto'}" rows="12" ${o.required ? html`required` : ''} ${o.maxlength ? html`maxlength="${o.maxlength}"` : ''} ${err ? html`aria-invalid="true"` : ''} ${describedBy ? html`aria-describedby="${describedBy}"` : ''}>${v}</textarea>`
    : html`<input id="${o.name}" name="${o.name}" type="${o.type ?? 'text'}" value="${v}" dir="${o.dir ?? 'auto'}" ${o.required ? html`required` : ''} ${o.maxlength ? html`maxlength="${o.maxlength}"` : ''} ${o.autocomplete ? html`autocomplete="${o.autocomplete}"` : ''} ${err ? html`aria-invalid="true"` : ''} ${describedBy ? html`aria-describedby="${describedBy}"` : ''}>`;
  return html`<div class="field${err ? ' has-error' : ''}">
  <label for="${o.name}">${o.label}</label>
  ${o.hint ? html`<p class="hint" id="${o.name}-hint">${o.hint}</p>` : ''}
  ${control}
  ${fieldError(o.t, o.errors, o.name)}
</div>`;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${token}">`;
}

export interface SummaryItem {
  /** The field's id: the link moves focus to it. */
  field: string;
  text: string;
}

/**
 * What went wrong, first thing on the page (the GOV.UK pattern): focused when the page loads (autofocus, no script),
 * announced, each error a link to its field. `message` is a refusal that no field caused (rate limit, closed letter).
 */
export function errorSummary(t: T, items: SummaryItem[], message?: string): SafeHtml {
  return html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
<h2 id="error-summary-title">${t('sign.errors.title')}</h2>
${message ? html`<p>${message}</p>` : html`<p>${t('sign.errors')}</p>`}
${items.length ? html`<ul>${items.map((i) => html`<li><a href="#${i.field}">${i.text}</a></li>`)}</ul>` : ''}
</div>`;
}

/** The summary's line for one field error: "Email address: Enter a valid email address…". */
export function summaryItem(t: T, e: FieldError, label: string): SummaryItem {
  return { field: e.field, text: t('sign.errors.item', { field: label, message: t(`field.${e.code}`, { limit: e.limit ?? 0 }) }) };
}
