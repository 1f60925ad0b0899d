/** Development only: the mail captured in the dev outbox, readable in a browser. */
import type { MailMessage } from '../../../core/model.ts';
import { translator } from '../../i18n/index.ts';
import { directionOf } from '../../../core/text.ts';
import { html } from './html.ts';
import { layout } from './layout.ts';

export type CapturedMail = MailMessage & { capturedAt: string };

export function devOutboxPage(base: string, mails: readonly CapturedMail[]): string {
  const t = translator('en');
  const body = html`<section><h1>${t('dev.outbox')}</h1>
<p class="hint">Mail is captured here because UNDERSIGNED_SMTP_URL is not set. Also: <code>undersigned mail outbox</code>.</p>
${mails.map((m) => html`<article class="mail" lang="${m.lang}" dir="${directionOf(m.lang)}"><h2>${m.subject}</h2><p class="hint" dir="ltr">${m.capturedAt} · ${m.template} · to ${m.to}</p><pre>${m.text}</pre></article>`)}
</section>`;
  return layout({ t, title: t('dev.outbox'), body, baseUrl: base, noindex: true });
}
