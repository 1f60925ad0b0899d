/** The public privacy page: what is kept, what is published, how to check it. */
import type { T } from '../../i18n/index.ts';
import { html } from './html.ts';
import { layout, type Alternate } from './layout.ts';

const KEYS = ['privacy.p1', 'privacy.p2', 'privacy.p3', 'privacy.p4', 'privacy.p5', 'privacy.p6'] as const;

export function privacyPage(t: T, base: string, alternates: Alternate[]): string {
  const body = html`<section class="message privacy"><h1>${t('privacy.title')}</h1>${KEYS.map((k) => html`<p>${t(k)}</p>`)}<p><a href="/${t.lang}/verify">${t('verify.title')}</a></p></section>`;
  return layout({ t, title: t('privacy.title'), body, baseUrl: base, alternates });
}
