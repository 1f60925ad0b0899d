/** A letter's personal-data retention: its public removal numbers and the form that sets the period. */
import type { FieldError } from '../../../../core/errors.ts';
import type { Removals } from '../../../../core/log-ports.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField, fieldError } from '../forms.ts';
import { html } from '../html.ts';
import { layout } from '../layout.ts';
import { removalsNote } from '../letter.ts';

export function retentionPage(t: T, base: string, o: { me: string; slug: string; csrf: string; value: string; removals: Removals; saved: boolean; errors?: FieldError[] | undefined }): string {
  const { errors } = o;
  const body = html`<section><h1>${t('privacy.title')}: <bdi>${o.slug}</bdi></h1>
${o.saved ? html`<div class="notice" role="status">${t('organise.retention.saved')}</div>` : ''}
${removalsNote(t, o.removals)}
<form method="post" action="/${t.lang}/organise/letters/${o.slug}/log">${csrfField(o.csrf)}
<div class="field${errors ? ' has-error' : ''}"><label for="retentionDays">${t('organise.retention')}</label>
<p class="hint" id="retentionDays-hint">${t('organise.retention.hint')}</p>
<input id="retentionDays" name="retentionDays" inputmode="numeric" value="${o.value}" aria-describedby="retentionDays-hint">
${errors ? fieldError(t, errors, 'retentionDays') : ''}</div>
<button type="submit" class="primary">${t('organise.save')}</button></form></section>`;
  return layout({ t, title: t('privacy.title'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}
