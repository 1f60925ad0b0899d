/** The letter form of the organiser pages: its fields, one fieldset per language version. */
import type { FieldError } from '../../../../core/errors.ts';
import type { LetterWithText } from '../../../../core/model.ts';
import { LIMITS } from '../../../../core/letters/letter.ts';
import type { T } from '../../../i18n/index.ts';
import { directionOf } from '../../../../core/text.ts';
import { csrfField, input, type Values } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { languageLabel, layout } from '../layout.ts';

/** The most language versions one form holds. */
export const MAX_VERSION_SLOTS = 10;

/** The form's values for a stored letter (the signed-in organiser is left out of the organisers: they stay). */
export function valuesFromLetter(l: LetterWithText, me: string): Values {
  const v: Values = {
    slug: l.slug,
    'addressee.name': l.addressee.name,
    'addressee.title': l.addressee.title,
    defaultLang: l.defaultLang,
    goal: l.goal ? String(l.goal) : '',
    organisers: l.organisers.filter((o) => o !== me).join('\n'),
  };
  l.versions.forEach((x, i) => {
    v[`versions.${i}.lang`] = x.lang;
    v[`versions.${i}.title`] = x.title;
    v[`versions.${i}.body`] = x.body;
    v[`versions.${i}.statement`] = x.statement;
    v[`versions.${i}.addressee.name`] = x.addressee?.name;
    v[`versions.${i}.addressee.title`] = x.addressee?.title;
  });
  return v;
}

/** Errors of single targets (targets.2.email) shown at the targets field, which holds them all. */
const targetErrors = (errors: FieldError[]): FieldError[] => [...errors.filter((e) => !e.field.startsWith('targets.')), ...errors.filter((e) => e.field.startsWith('targets.')).slice(0, 1).map((e) => ({ ...e, field: 'targets' }))];

export function letterForm(t: T, action: string, csrf: string, values: Values, errors: FieldError[], slots: number, notice?: SafeHtml | string): SafeHtml {
  const versionFields = [];
  for (let i = 0; i < slots; i++) {
    const vlang = values[`versions.${i}.lang`] || '';
    const vdir = vlang ? directionOf(vlang) : 'auto';
    versionFields.push(html`<fieldset class="version"${vlang ? html` lang="${vlang}"` : ''}>
<legend>${t('organise.version')} ${t.number(i + 1)}${vlang ? html` — ${languageLabel(vlang)}` : ''}</legend>
${i > 0 ? html`<p class="hint">${t('organise.version.add')}</p>` : ''}
${input({ t, name: `versions.${i}.lang`, label: t('organise.version.lang'), values, errors, maxlength: 20, dir: 'ltr' })}
${input({ t, name: `versions.${i}.title`, label: t('organise.version.title'), values, errors, maxlength: LIMITS.title, dir: vdir })}
${input({ t, name: `versions.${i}.body`, label: t('organise.version.body'), values, errors, multiline: true, dir: vdir })}
${input({ t, name: `versions.${i}.statement`, label: t('organise.version.statement'), values, errors, maxlength: LIMITS.statement, dir: vdir })}
${input({ t, name: `versions.${i}.addressee.name`, label: t('organise.version.addressee'), hint: t('organise.version.addressee.hint'), values, errors, maxlength: LIMITS.addresseeName, dir: vdir })}
${input({ t, name: `versions.${i}.addressee.title`, label: t('organise.addresseeTitle'), values, errors, maxlength: LIMITS.addresseeTitle, dir: vdir })}
</fieldset>`);
  }
  return html`${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}
${errors.length ? html`<div class="alert" role="alert">${t('sign.errors')}</div>` : ''}
<form method="post" action="${action}" class="letter-form" novalidate>
${csrfField(csrf)}
${input({ t, name: 'slug', label: t('organise.slug'), values, errors, required: true, maxlength: LIMITS.slug, dir: 'ltr' })}
${input({ t, name: 'addressee.name', label: t('organise.addresseeName'), values, errors, required: true, maxlength: LIMITS.addresseeName })}
${input({ t, name: 'addressee.title', label: t('organise.addresseeTitle'), values, errors, maxlength: LIMITS.addresseeTitle })}
${input({ t, name: 'defaultLang', label: t('organise.defaultLang'), values, errors, maxlength: 20, dir: 'ltr' })}
${input({ t, name: 'goal', label: t('organise.goal'), values, errors, type: 'number', dir: 'ltr' })}
${input({ t, name: 'organisers', label: t('organise.organisers'), values, errors, multiline: true, dir: 'ltr' })}
<div id="targets-field">${input({ t, name: 'targets', label: t('organise.targets'), values, errors: targetErrors(errors), multiline: true, dir: 'auto' })}</div>
${versionFields}
<button type="submit" class="primary">${t('organise.save')}</button>
</form>`;
}

export interface LetterFormPage {
  me: string;
  csrf: string;
  values: Values;
  errors: FieldError[];
  /** How many version fieldsets the form shows. */
  slots: number;
  notice?: SafeHtml | string | undefined;
}

/** The page of a new letter. */
export function newLetterPage(t: T, base: string, p: LetterFormPage): string {
  const body = html`<h1>${t('organise.new')}</h1>${letterForm(t, `/${t.lang}/organise/new`, p.csrf, p.values, p.errors, p.slots, p.notice)}`;
  return layout({ t, title: t('organise.new'), body, baseUrl: base, signedInAs: p.me, noindex: true });
}

/** The page that edits the letter at `slug`. */
export function editLetterPage(t: T, base: string, slug: string, p: LetterFormPage): string {
  const body = html`<h1>${t('organise.edit')}: <bdi>${slug}</bdi></h1>${letterForm(t, `/${t.lang}/organise/letters/${slug}/edit`, p.csrf, p.values, p.errors, p.slots, p.notice)}`;
  return layout({ t, title: t('organise.edit'), body, baseUrl: base, signedInAs: p.me, noindex: true });
}

/** Above the edit form: saved or not, the state and text version, whether the text is frozen, the retention page. */
export function editNotice(t: T, letter: LetterWithText, saved: boolean, frozen: boolean): SafeHtml {
  return html`${saved ? html`<p>${t('organise.saved')}</p>` : ''}<p>${t(`organise.state.${letter.state}`)} · ${t('organise.textVersion', { version: t.number(letter.textVersion) })}</p>${frozen ? html`<p>${t('organise.frozen')}</p>` : ''}<p><a href="/${t.lang}/organise/letters/${letter.slug}/log">${t('privacy.title')}</a>${letter.state === 'draft' ? '' : html` · <a href="/${t.lang}/organise/letters/${letter.slug}/updates">${t('desk.updates')}</a>`}</p>`;
}

/** Why a posted form came back (refused before it was saved). */
export const refusedNotice = (message: string): SafeHtml => html`<p role="alert">${message}</p>`;
