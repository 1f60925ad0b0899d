/** Development-only pages (on when mail is captured rather than sent): read the captured outbox in a browser. */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { App } from '../../../main.ts';
import { readDevOutbox } from '../../mail/dev-outbox.ts';
import { translator } from '../../i18n/index.ts';
import { html } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { sendPage } from './index.ts';

export function devRoutes(app: App) {
  return fp(async (f: FastifyInstance) => {
    f.get('/dev/outbox', async (_req, reply) => {
      const t = translator('en');
      const mails = app.devOutboxDir ? readDevOutbox(app.devOutboxDir, 50) : [];
      const body = html`<section><h1>${t('dev.outbox')}</h1>
<p class="hint">Mail is captured here because UNDERSIGNED_SMTP_URL is not set. Also: <code>undersigned mail outbox</code>.</p>
${mails.map((m) => html`<article class="mail" lang="${m.lang}" dir="${translator(m.lang).dir}"><h2>${m.subject}</h2><p class="hint" dir="ltr">${m.capturedAt} · ${m.template} · to ${m.to}</p><pre>${m.text}</pre></article>`)}
</section>`;
      return sendPage(reply, layout({ t, title: t('dev.outbox'), body, baseUrl: app.config.baseUrl, noindex: true }));
    });
  });
}
