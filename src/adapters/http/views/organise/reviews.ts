/** Possible duplicates of a letter, side by side, each with its merge and dismiss buttons. */
import type { Signature } from '../../../../core/model.ts';
import type { ReviewView } from '../../../../use-cases/decide-review.ts';
import type { T } from '../../../i18n/index.ts';
import { csrfField } from '../forms.ts';
import { html } from '../html.ts';
import { layout } from '../layout.ts';

function person(t: T, s: Signature) {
  return html`<div class="person"><p class="name"><bdi>${s.name}</bdi></p>${s.nameAlt ? html`<p><bdi>${s.nameAlt}</bdi></p>` : ''}${s.title ? html`<p class="hint"><bdi>${s.title}</bdi></p>` : ''}${s.country ? html`<p class="hint">${t.country(s.country)}</p>` : ''}<p class="hint">${s.confirmedAt ? t.date(s.confirmedAt) : ''} · ${t(s.imported ? 'desk.source.imported' : 'desk.source.email')}</p></div>`;
}

type Key = Parameters<T>[0];

export function reviewsPage(t: T, base: string, o: { me: string; slug: string; csrf: string; views: ReviewView[]; flash?: string | undefined }): string {
  const { slug, csrf } = o;
  const byId = new Map(o.views.map((v) => [v.review.id, v.why]));
  const why = (t: T, id: string) => {
    const w = byId.get(id);
    if (!w) return '';
    return html`<p class="hint">${t(`desk.review.via.${w.via}` as Key)}${w.shared.length ? html`: ${w.shared.map(([a, b], i) => html`${i ? ', ' : ''}<bdi>${a}</bdi> ↔ <bdi>${b}</bdi>`)}` : ''}</p>
<label class="choice"><input type="checkbox" name="ids" value="${id}" form="bulk-reviews"> ${t('desk.review.select')}</label>`;
  };
  const body = html`<section><h1>${t('review.title')}: <bdi>${slug}</bdi></h1>
<p class="hint">${t('review.help')}</p>
${o.flash ? html`<div class="notice" role="status">${o.flash}</div>` : ''}
${o.views.length === 0 ? html`<p>${t('review.none')}</p>` : o.views.map(({ review, signature, other }) => html`<article class="review">
<p><strong>${t(review.band === 'likely' ? 'review.band.likely' : 'review.band.review')}</strong> · ${t('review.score', { score: new Intl.NumberFormat(t.lang, { style: 'percent' }).format(review.score) })}</p>
${why(t, review.id)}<div class="pair"><div><h2>${t('review.earlier')}</h2>${person(t, other)}</div><div><h2>${t('review.newer')}</h2>${person(t, signature)}</div></div>
<form method="post" action="/${t.lang}/organise/letters/${slug}/reviews/${review.id}" class="inline">${csrfField(csrf)}<input type="hidden" name="decision" value="merge"><button type="submit" class="primary">${t('review.merge')}</button></form>
<form method="post" action="/${t.lang}/organise/letters/${slug}/reviews/${review.id}" class="inline">${csrfField(csrf)}<input type="hidden" name="decision" value="dismiss"><button type="submit">${t('review.dismiss')}</button></form>
</article>`)}
${o.views.length > 1 ? html`<form method="post" action="/${t.lang}/organise/letters/${slug}/reviews/bulk" id="bulk-reviews" class="desk-actions">${csrfField(csrf)}
<button type="submit" name="decision" value="dismiss">${t('desk.review.bulkDismiss')}</button>
<button type="submit" name="decision" value="merge">${t('desk.review.bulkMerge')}</button></form>` : ''}
</section>`;
  return layout({ t, title: t('review.title'), body, baseUrl: base, signedInAs: o.me, noindex: true });
}
