/** The public privacy page: what is kept, what is published, how to check it. */
import type { T } from '../../i18n/index.ts';
import { html } from './html.ts';
import { layout, type Alternate } from './layout.ts';

const KEYS = ['privacy.p1', 'privacy.p2', 'privacy.p3', 'privacy.p4', 'privacy.p5', 'privacy.p6'] as const;
const PUBLIC_KEYS = ['privacy.public.list', 'privacy.public.hidden', 'privacy.public.log', 'privacy.public.never', 'privacy.public.after'] as const;

/** `contact`: the operator's address for data requests (UNDERSIGNED_CONTACT), a mailto link when it is an email. */
export function privacyPage(t: T, base: string, alternates: Alternate[], contact?: string): string {
  const link = contact && (/^https?:\/\//.test(contact) ? contact : /^[^\s@]+@[^\s@]+$/.test(contact) ? `mailto:${contact}` : undefined);
  const who = contact
    ? html`<p class="contact">${t('privacy.contact', { contact: '\u0000' }).split('\u0000').map((part, i) => (i ? html`${link ? html`<a href="${link}" dir="ltr">${contact}</a>` : html`<bdi>${contact}</bdi>`}${part}` : html`${part}`))}</p>`
    : html`<p class="contact">${t('privacy.noContact')}</p>`;
  // What stays public, item by item (the signer's manage page links here).
  const exactly = html`<h2 id="public">${t('privacy.public.heading')}</h2><ul class="public">${PUBLIC_KEYS.map((k) => html`<li>${t(k)}</li>`)}</ul>`;
  const body = html`<section class="message privacy"><h1>${t('privacy.title')}</h1>${KEYS.map((k) => html`<p>${t(k)}</p>`)}<p>${t('privacy.manage')}</p>${exactly}${who}<p><a href="/${t.lang}/verify">${t('verify.title')}</a></p></section>`;
  return layout({ t, title: t('privacy.title'), body, baseUrl: base, alternates });
}
