/** The organiser's sign-in pages: the address form, "check your mail", and the button that spends the link. */
import type { FieldError } from '../../../../core/errors.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField, input } from '../forms.ts';
import { html } from '../html.ts';
import { layout, type Alternate } from '../layout.ts';

/** The sign-in form; after a refused address, with what was typed and why. */
export function loginPage(t: T, base: string, csrf: string, o: { alternates?: Alternate[]; email?: string | undefined; errors?: FieldError[] } = {}): string {
  const body = o.errors
    ? html`<section class="narrow"><h1>${t('organise.login.heading')}</h1>
<form method="post" action="/${t.lang}/organise/login">${csrfField(csrf)}
${input({ t, name: 'email', label: t('organise.login.email'), values: { email: o.email }, errors: o.errors, type: 'email', required: true, dir: 'ltr' })}
<button type="submit" class="primary">${t('organise.login.submit')}</button></form></section>`
    : html`<section class="narrow"><h1>${t('organise.login.heading')}</h1><p>${t('organise.login.body')}</p>
<form method="post" action="/${t.lang}/organise/login">${csrfField(csrf)}
${input({ t, name: 'email', label: t('organise.login.email'), values: {}, errors: [], type: 'email', required: true, autocomplete: 'email', dir: 'ltr' })}
<button type="submit" class="primary">${t('organise.login.submit')}</button></form></section>`;
  return layout({ t, title: t('organise.login.heading'), body, baseUrl: base, alternates: o.alternates, noindex: true });
}

/** The emailed link's page: a button, so that a mail scanner following the link does not spend it. */
export function completeLoginPage(t: T, base: string, csrf: string, token: string): string {
  const body = html`<section class="narrow"><h1>${t('organise.login.heading')}</h1><form method="post" action="/${t.lang}/organise/login/complete">${csrfField(csrf)}<input type="hidden" name="token" value="${token}"><button type="submit" class="primary">${t('organise.login.complete')}</button></form></section>`;
  return layout({ t, title: t('organise.login.heading'), body, baseUrl: base, noindex: true });
}

/** A sign-in link that did not work, and the way to ask for another. */
export function loginFailedBody(t: T, message: string) {
  return html`<p>${message}</p><p><a href="/${t.lang}/organise">${t('organise.login.submit')}</a></p>`;
}
