import { randomBytes } from 'node:crypto';
// biome-ignore lint/suspicious/noShadowRestrictedNames: our HTML escaper (views/html.ts), not the deprecated global
import { escape, html, trusted, type SafeHtml } from './html.ts';
import { errorSummary, fieldError, input, summaryItem, type Values } from './forms.ts';
import { renderMarkdown } from './markdown.ts';
import type { FieldError } from '../../../core/errors.ts';
import type { LetterWithText, LetterVersion, PublicSignature } from '../../../core/model.ts';
import { COUNTRY_CODES } from '../../../core/countries.ts';
import { SIGNATURE_LIMITS } from '../../../core/signatures/signature.ts';
import { directionOf } from '../../../core/text.ts';
import type { T } from '../../i18n/index.ts';
import type { MessageKey } from '../../i18n/en.ts';
import type { Removals } from '../../../core/log-ports.ts';

export interface LetterPageInput {
  t: T;
  letter: LetterWithText;
  version: LetterVersion;
  count: number;
  /** The count by how signatures came (email, paper, imported); the tally shows it when any came otherwise. */
  split?: { email: number; paper: number; imported: number } | undefined;
  /** Notable signatories (checked titles only), shown first when the owners want them. */
  notable?: PublicSignature[] | undefined;
  hidden: number;
  list: { items: PublicSignature[]; page: number; pages: number; total: number };
  /** Confirmed signatures waiting for an organiser's check (not in the count). */
  held?: number | undefined;
  values: Values;
  errors: FieldError[];
  formMessage?: string | undefined;
  /** Withdrawals and organiser removals per reason, as the log records them. */
  removals?: Removals | undefined;
  /** In place of the list section (signatoriesSection): the letter page cache draws the page around it. */
  signatories?: SafeHtml | undefined;
  /** After the list: sharing, charts, open data (views/share.ts, views/charts.ts), drawn by the route. */
  extras?: SafeHtml | undefined;
  /** Under the letter's text: the addressee's reply (views/reply.ts). */
  reply?: SafeHtml | undefined;
}

/** The countries sorted by their names in the page language, per language: sorting them on every page was costly. */
const sortedCountries = new Map<string, { code: string; name: string }[]>();
function countryOptions(t: T, selected: string | undefined): SafeHtml {
  let opts = sortedCountries.get(t.lang);
  if (!opts) {
    const coll = new Intl.Collator(t.lang);
    opts = COUNTRY_CODES.map((code) => ({ code, name: t.country(code) })).sort((a, b) => coll.compare(a.name, b.name));
    // One entry per page language (a few), each ~250 short strings.
    if (sortedCountries.size < 200) sortedCountries.set(t.lang, opts);
  }
  return html`<option value="">${t('sign.country.none')}</option>${opts.map((o) => html`<option value="${o.code}"${o.code === selected ? html` selected` : ''}>${o.name}</option>`)}`;
}

/**
 * Where the list section goes in a drawn frame (cache/letter-pages.ts fills it): a per-process random nonce between
 * control characters, which escaped text cannot produce (and typed text may not contain at all).
 */
export const LIST_SLOT = trusted(`\u0001${randomBytes(12).toString('base64url')}\u0001`);

/**
 * One name of the list as markup. A page has a hundred and the letter page is the hot page, so this builds the
 * string directly, without html``; every value is escaped all the same.
 */
function signatoryItemHtml(t: T, s: PublicSignature): string {
  // An empty name: the signer's personal data was erased; the signature still counts.
  if (!s.name) return `<li><span class="erased">${escape(t('letter.erased'))}</span></li>`;
  let out = `<li><bdi class="name">${escape(s.name)}</bdi>`;
  if (s.nameAlt) out += ` <span class="alt">(<bdi>${escape(s.nameAlt)}</bdi>)</span>`;
  if (s.title) {
    // Vetted titles: a checked one carries a visible mark; any other says it is the signer's own description.
    out += `<span class="sep">${escape(t('letter.sep'))}</span><bdi class="affil">${escape(s.title)}</bdi>`;
    out += s.titleChecked
      ? ` <span class="checked" title="${escape(t('desk.title.checkedHint'))}">✓ ${escape(t('desk.title.checked'))}</span>`
      : ` <span class="self">(${escape(t('desk.title.self'))})</span>`;
  }
  if (s.country) out += ` <span class="country">· ${escape(t.country(s.country))}</span>`;
  return out + '</li>';
}

/** Interface languages the proof-of-work widget speaks (browser/altcha-widget.ts loads them). */
export const ALTCHA_LANGS = new Set(['en', 'fa', 'ar', 'fr', 'de', 'es', 'tr', 'ru']);
/** The widget's script (served from /assets, built from the altcha package: pages/altcha.ts). */
export const ALTCHA_SCRIPT = '/assets/altcha.js';

function signForm(p: LetterPageInput): SafeHtml {
  const { t, letter, values, errors } = p;
  const base = `/${t.lang}/letters/${letter.slug}`;
  const vis = values.visibility === 'hidden' ? 'hidden' : 'public';
  return html`<section class="sign" id="sign" aria-labelledby="sign-heading">
<h2 id="sign-heading">${t('sign.heading')}</h2>
${p.version.statement ? html`<p class="statement" lang="${p.version.lang}" dir="${directionOf(p.version.lang)}">${p.version.statement}</p>` : ''}
<form method="post" action="${base}/sign" novalidate>
<input type="hidden" name="lang" value="${t.lang}">
${input({ t, name: 'name', label: t('sign.name'), hint: t('sign.name.hint'), values, errors, required: true, maxlength: SIGNATURE_LIMITS.name, autocomplete: 'name' })}
${input({ t, name: 'nameAlt', label: t('sign.nameAlt'), hint: t('sign.nameAlt.hint'), values, errors, maxlength: SIGNATURE_LIMITS.nameAlt })}
${input({ t, name: 'title', label: t('sign.title'), values, errors, maxlength: SIGNATURE_LIMITS.title, autocomplete: 'organization-title' })}
<div class="field${errors.some((e) => e.field === 'country') ? ' has-error' : ''}">
  <label for="country">${t('sign.country')}</label>
  <select id="country" name="country" autocomplete="country">${countryOptions(t, values.country)}</select>
  ${fieldError(t, errors, 'country')}
</div>
${input({ t, name: 'email', label: t('sign.email'), hint: t('sign.email.hint'), values, errors, type: 'email', required: true, maxlength: SIGNATURE_LIMITS.email, autocomplete: 'email', dir: 'ltr' })}
<fieldset class="field">
  <legend>${t('sign.visibility')}</legend>
  <label class="choice"><input type="radio" id="visibility-public" name="visibility" value="public"${vis === 'public' ? html` checked` : ''}> ${t('sign.visibility.public')}</label>
  <label class="choice"><input type="radio" name="visibility" value="hidden"${vis === 'hidden' ? html` checked` : ''}> ${t('sign.visibility.hidden')}</label>
  ${fieldError(t, errors, 'visibility')}
</fieldset>
<label class="choice"><input type="checkbox" name="consentUpdates" value="yes"${values.consentUpdates ? html` checked` : ''}> ${t('sign.consent')}</label>
<div class="hp" aria-hidden="true"><label for="website">${t('sign.honeypot')}</label><input id="website" name="website" type="text" tabindex="-1" autocomplete="off"></div>
<div class="field pow"><altcha-widget challenge="/api/v1/challenge" name="altcha" auto="onfocus" language="${ALTCHA_LANGS.has(t.uiLang) ? t.uiLang : 'en'}"></altcha-widget>
<p class="hint">${t('sign.pow.hint')}</p></div>
<button type="submit" class="primary">${t('sign.submit')}</button>
</form>
</section>`;
}

export function letterPage(p: LetterPageInput): SafeHtml {
  const { t, letter, version, count } = p;
  const vdir = directionOf(version.lang);
  const others = letter.versions.filter((v) => v.lang !== version.lang);
  const to = version.addressee ?? letter.addressee;
  // The letter's text carries its version's lang and dir; the interface around it (notices, "To:", the tally)
  // carries the interface's, which differs when the page language has no catalogue (the fallback chain).
  const mixed = t.uiLang !== version.lang;
  const ui = mixed ? html`lang="${t.uiLang}" dir="${t.dir}"` : '';
  const bdi = (text: string) => (mixed ? html`<bdi lang="${version.lang}">${text}</bdi>` : html`<bdi>${text}</bdi>`);
  return html`${summaryOf(p)}<article class="letter" lang="${version.lang}" dir="${vdir}">
<header>
  ${letter.state === 'draft' ? html`<p class="notice" ${ui}>${t('letter.draft')}</p>` : ''}
  ${letter.imported ? html`<p class="notice" ${ui}>${t('letter.imported')}</p>` : ''}
  <p class="addressee" ${ui}>${t('letter.to')}: ${bdi(to.name)}${to.title ? html`${t('letter.sep')}${bdi(to.title)}` : ''}</p>
  <h1>${version.title}</h1>
</header>
<div class="tally" aria-live="polite" ${ui}>
  <p class="count"><strong>${countText(t, count, p.split)}</strong>${letter.goal ? html` <span class="goal">${t('letter.goalOnly', { goal: t.number(letter.goal) })}</span>` : ''}</p>
  ${p.held ? html`<p class="held hint">${t('letter.held', { count: p.held })}</p>` : ''}
  ${letter.goal ? html`<progress max="${letter.goal}" value="${Math.min(count, letter.goal)}">${t.number(count)}</progress>` : ''}
  ${letter.state === 'open' ? html`<p class="to-sign"><a class="button primary" href="#sign">${t('letter.signLink')}</a></p>` : ''}
</div>
<div class="body">${renderMarkdown(version.body)}</div>
</article>
${p.reply ?? ''}
${p.notable?.length ? notableSection(t, p.notable) : ''}
${letter.state === 'open' ? signForm(p) : html`<p class="notice">${letter.state === 'closed' ? t('letter.closed') : t('letter.draft')}</p>`}
${p.signatories ?? signatoriesSection(p)}
${p.extras ?? ''}
${others.length
  ? html`<aside class="others"><h2>${t('letter.otherLanguages')}</h2><ul>${others.map((v) => html`<li lang="${v.lang}" dir="${directionOf(v.lang)}"><a href="/${v.lang}/letters/${letter.slug}" hreflang="${v.lang}">${v.title}</a></li>`)}</ul></aside>`
  : ''}`;
}

/**
 * The count, split by how signatures came when any did not come by email: "1,204 signatures: 1,150 confirmed by
 * email, 54 from paper" (in the page's words and digits). The print view and the badge say the same.
 */
export function countText(t: T, count: number, split?: { email: number; paper: number; imported: number } | undefined): string {
  const parts = splitParts(t, count, split);
  return parts === undefined ? t('letter.count', { count }) : t('letter.split', { count, parts });
}

/** The parts of the split alone ("1,150 confirmed by email, 54 from paper"); undefined when all came by email. */
export function splitParts(t: T, count: number, split?: { email: number; paper: number; imported: number } | undefined): string | undefined {
  if (!split || split.paper + split.imported === 0) return undefined;
  const email = Math.max(0, count - split.paper - split.imported);
  const parts: string[] = [];
  if (email > 0) parts.push(t('letter.split.email', { count: email }));
  if (split.paper > 0) parts.push(t('letter.split.paper', { count: split.paper }));
  if (split.imported > 0) parts.push(t('letter.split.imported', { count: split.imported }));
  return parts.join(t('letter.sep'));
}

/** Signatories whose title an organiser checked, before everything else the page lists (never an unchecked title). */
function notableSection(t: T, items: PublicSignature[]): SafeHtml {
  return html`<section class="notable" aria-labelledby="notable-heading" lang="${t.uiLang}" dir="${t.dir}">
<h2 id="notable-heading">${t('letter.notable.heading')}</h2>
<ul class="names">${trusted(items.filter((s) => s.titleChecked === true && !!s.title).map((s) => signatoryItemHtml(t, s)).join(''))}</ul>
<p class="hint">${t('letter.notable.note')}</p>
</section>`;
}

/** The sign form's field labels, for the error summary. */
const LABELS: Record<string, MessageKey> = {
  name: 'sign.name', nameAlt: 'sign.nameAlt', title: 'sign.title', country: 'sign.country', email: 'sign.email', visibility: 'sign.visibility',
};

/** The error summary of a failed sign, above everything else on the page; nothing when the form is fine. */
function summaryOf(p: LetterPageInput): SafeHtml | '' {
  const { t, errors } = p;
  if (!p.formMessage && !errors.length) return '';
  const fieldOf = (f: string) => (f === 'visibility' ? 'visibility-public' : f);
  const items = errors.map((e) => ({ ...summaryItem(t, e, LABELS[e.field] ? t(LABELS[e.field]!) : e.field), field: fieldOf(e.field) }));
  return errorSummary(t, items, p.formMessage);
}

/** The public list with its notes and pager: the part of the letter page that changes with the page number. */
export function signatoriesSection(p: Pick<LetterPageInput, 't' | 'letter' | 'list' | 'hidden' | 'removals'>): SafeHtml {
  const { t, letter, list } = p;
  const base = `/${t.lang}/letters/${letter.slug}`;
  return html`<section class="signatories" aria-labelledby="list-heading" lang="${t.uiLang}" dir="${t.dir}">
<h2 id="list-heading">${t('letter.signatories')}</h2>
${list.total === 0 ? html`<p>${t('letter.noSignatories')}</p>` : html`<ol class="names" start="${(list.page - 1) * 100 + 1}">${trusted(list.items.map((s) => signatoryItemHtml(t, s)).join(''))}</ol>`}
${p.hidden > 0 ? html`<p class="hint">${t('letter.hiddenNote', { count: p.hidden })}</p>` : ''}
${p.removals ? removalsNote(t, p.removals) : ''}
${list.pages > 1
  ? html`<nav class="pager" aria-label="${t('letter.page', { page: t.number(list.page), pages: t.number(list.pages) })}">
  ${list.page > 1 ? html`<a rel="prev" href="${base}?page=${list.page - 1}#list-heading">${t('letter.prev')}</a>` : ''}
  <span>${t('letter.page', { page: t.number(list.page), pages: t.number(list.pages) })}</span>
  ${list.page < list.pages ? html`<a rel="next" href="${base}?page=${list.page + 1}#list-heading">${t('letter.next')}</a>` : ''}
</nav>`
  : ''}
</section>`;
}

/** The public record of cancelled signatures: numbers anyone can recount from the log (the audit does). */
export function removalsNote(t: T, r: Removals): SafeHtml {
  const reasons = (['signer', 'duplicate', 'fraud', 'legal'] as const).filter((k) => r.removed[k] > 0);
  const removed = reasons.length
    ? t('letter.removals.removed', { list: reasons.map((k) => t(`reason.${k}`, { count: r.removed[k] })).join(t('letter.sep')) })
    : t('letter.removals.none');
  return html`<p class="hint removals">${t('letter.removals.withdrawn', { count: r.withdrawn })} ${removed} <a href="/${t.lang}/privacy">${t('letter.removals.log')}</a></p>`;
}

/** After signing: check your mail. */
export function thanksBody(t: T, slug: string, mailDelayed = false, check = false): SafeHtml {
  const delayed = mailDelayed ? html`<p role="status">${t('sign.thanks.delayed')}</p>` : html``;
  const held = check ? html`<p class="notice" role="status">${t('sign.thanks.check')}</p>` : html``;
  return html`${check ? '' : html`<p>${t('sign.thanks.body')}</p>`}${held}${delayed}<p class="hint">${t('sign.thanks.spam')}</p><p><a href="/${t.lang}/letters/${slug}">${t('sign.thanks.back')}</a></p>`;
}
