/** The home page of a language: the open letters with their counts. */
import { html } from './html.ts';
import { layout, type Alternate } from './layout.ts';
import type { T } from '../../i18n/index.ts';
import { directionOf } from '../../../core/text.ts';
import { countText } from './letter.ts';

export interface HomeLetter {
  slug: string;
  lang: string;
  title: string;
  count: number;
  /** How the signatures came (shown when any did not come by email). */
  split?: { email: number; paper: number; imported: number } | undefined;
}

/** `letters`: one entry per open letter, undefined for one without a version to show. */
export function homePage(t: T, base: string, letters: (HomeLetter | undefined)[], alternates: Alternate[], signedInAs: string | undefined): string {
  const items = letters.map((l) => !l ? '' : html`<li><a href="/${l.lang}/letters/${l.slug}" lang="${l.lang}" dir="${directionOf(l.lang)}">${l.title}</a> <span class="count">${countText(t, l.count, l.split)}</span></li>`);
  const body = html`<section><h1>${t('home.title')}</h1>${letters.length ? html`<ul class="letters">${items}</ul>` : html`<p>${t('home.empty')}</p>`}</section>`;
  return layout({ t, title: t('home.title'), body, baseUrl: base, alternates, signedInAs });
}
