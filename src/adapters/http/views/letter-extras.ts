/** What the letter page shows under the list: the charts with the open data links, then the share block. */
import type { LetterVersion, LetterWithText } from '../../../core/model.ts';
import type { LetterStats } from '../../../core/ports.ts';
import type { T } from '../../i18n/index.ts';
import { chartsSection } from './charts.ts';
import { html, type SafeHtml } from './html.ts';
import { shareBlock } from './share.ts';

/** The latest delivery as the page shows it (cache/deliveries.ts). */
export interface DeliveryNote {
  targets: { name: string; title: string | null; status: string; deliveredAt: string | null }[];
  pdfSha256: string;
  treeSize: number;
}

/** "Delivered to … on …" per target of the latest delivery, with the PDF's hash and tree size to check it by. */
function deliverySection(t: T, d: DeliveryNote): SafeHtml {
  return html`<section class="delivery" aria-labelledby="delivery-heading" lang="${t.lang}" dir="${t.dir}">
<h2 id="delivery-heading" class="visually-hidden">${t('letter.pdf')}</h2>
<ul>${d.targets.map((x) => html`<li>${x.status === 'sent' && x.deliveredAt
    ? t('letter.delivered', { name: x.name, date: t.date(x.deliveredAt) })
    : x.status === 'bounced' ? t('letter.deliveryBounced', { name: x.name })
    : t('letter.deliveryFailed', { name: x.name })}</li>`)}</ul>
<p class="hint"><code dir="ltr">sha256 ${d.pdfSha256}</code> · <code dir="ltr">tree size ${d.treeSize}</code></p>
</section>`;
}

export function letterExtras(t: T, baseUrl: string, letter: LetterWithText, version: LetterVersion, count: number, stats: LetterStats | undefined, delivered?: DeliveryNote | null): SafeHtml {
  return html`${delivered ? deliverySection(t, delivered) : ''}
${stats ? chartsSection(t, letter.slug, stats) : ''}
${letter.state === 'draft' ? '' : shareBlock(t, baseUrl, letter, version, count)}`;
}
