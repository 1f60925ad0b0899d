/** Organiser page for a letter's personal-data retention (the log keeps entries; personal data can go). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { App } from '../../../main.ts';
import { DomainError } from '../../../core/errors.ts';
import { setRetention } from '../../../use-cases/erase.ts';
import { translator } from '../../i18n/index.ts';
import { html } from '../views/html.ts';
import { csrfField, fieldError } from '../views/forms.ts';
import { layout } from '../views/layout.ts';
import { removalsNote } from '../views/letter.ts';
import { sameOriginOnly } from '../cross-origin.ts';
import { checkLang, sendPage } from './index.ts';
import { currentOrganiser } from './organise.ts';

type G = { Params: Record<string, string>; Querystring: Record<string, string>; Body: Record<string, string> };
type Req = FastifyRequest<G>;

export function organiseLogRoutes(app: App) {
  return fp(async (f: FastifyInstance) => {
    const base = app.config.baseUrl;
    // The organiser area keeps its per-session CSRF tokens in addition to the cross-origin check (ADR 0003).
    const sameOrigin = sameOriginOnly(new URL(app.config.baseUrl).origin);

    async function render(req: Req, reply: FastifyReply, status = 200, error?: DomainError) {
      const t = translator(checkLang(req.params.lang!));
      const me = await currentOrganiser(app, req);
      if (!me) return reply.redirect(`/${t.lang}/organise`, 303);
      const letter = await app.store.letters.bySlug(req.params.slug!);
      if (!letter) throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      if (!letter.organisers.includes(me)) throw new DomainError('NOT_AUTHORISED', 'You do not organise this letter');
      const days = (await app.store.log.retentions()).find((r) => r.letterId === letter.id)?.days;
      const value = error ? String(req.body?.retentionDays ?? '') : days === undefined ? '' : String(days);
      const body = html`<section><h1>${t('privacy.title')}: <bdi>${letter.slug}</bdi></h1>
${req.query.saved ? html`<div class="notice" role="status">${t('organise.retention.saved')}</div>` : ''}
${removalsNote(t, await app.store.log.removals(letter.slug))}
<form method="post" action="/${t.lang}/organise/letters/${letter.slug}/log">${csrfField(reply.generateCsrf())}
<div class="field${error ? ' has-error' : ''}"><label for="retentionDays">${t('organise.retention')}</label>
<p class="hint" id="retentionDays-hint">${t('organise.retention.hint')}</p>
<input id="retentionDays" name="retentionDays" inputmode="numeric" value="${value}" aria-describedby="retentionDays-hint">
${error ? fieldError(t, error.fields, 'retentionDays') : ''}</div>
<button type="submit" class="primary">${t('organise.save')}</button></form></section>`;
      return sendPage(reply, layout({ t, title: t('privacy.title'), body, baseUrl: base, signedInAs: me, noindex: true }), status);
    }

    f.get<G>('/:lang/organise/letters/:slug/log', async (req: Req, reply) => render(req, reply));

    f.post<G>('/:lang/organise/letters/:slug/log', { preHandler: [sameOrigin, f.csrfProtection] }, async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const me = await currentOrganiser(app, req);
      if (!me) return reply.redirect(`/${t.lang}/organise`, 303);
      const raw = String(req.body?.retentionDays ?? '').trim();
      try {
        await setRetention(app.deps, req.params.slug!, raw === '' ? undefined : /^\d{1,6}$/.test(raw) ? Number(raw) : NaN, me);
      } catch (e) {
        if (e instanceof DomainError && e.code === 'VALIDATION_FAILED') return render(req, reply, 400, e);
        throw e;
      }
      return reply.redirect(`/${t.lang}/organise/letters/${req.params.slug!}/log?saved=1`, 303);
    });
  });
}
