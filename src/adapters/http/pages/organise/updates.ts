/**
 * /:lang/organise/letters/:slug/updates (the owners' page of updates, the reply and delivery) and its forms:
 * POST …/updates (send an update), POST …/replies (record the reply; multipart, for its PDF), POST …/deliver (mail
 * the letter's PDF to its targets, as `undersigned letter deliver` does). Owners only; CSRF and cross-origin checked.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../../config.ts';
import { DomainError } from '../../../../core/errors.ts';
import { deliverLetter } from '../../../../use-cases/deliver-letter.ts';
import { markBounced } from '../../../../use-cases/mark-bounced.ts';
import { recordReply } from '../../../../use-cases/record-reply.ts';
import { updatesDesk } from '../../../../use-cases/reads/updates-desk.ts';
import { sendUpdate } from '../../../../use-cases/send-update.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { translator } from '../../../i18n/index.ts';
import { sameOriginOnly } from '../../kit/cross-origin.ts';
import { organiserOnly } from '../../kit/organiser.ts';
import { sendPage } from '../../kit/page.ts';
import { REPLY_BODY_LIMIT } from '../../kit/limits.ts';
import type { Values } from '../../views/forms.ts';
import { milestoneValues, updatesPage } from '../../views/organise/updates.ts';

type Body = Record<string, string | Uint8Array | undefined>;
type G = { Params: { lang: string; slug: string }; Querystring: { sent?: string; repeat?: string; delivered?: string; replied?: string; bounced?: string }; Body: Body | undefined };
type Req = FastifyRequest<G>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The per-language fields `prefix.<lang>` of a form, as {lang: text}. */
function perLanguage(body: Body, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k.startsWith(prefix + '.') && typeof v === 'string' && v.trim()) out[k.slice(prefix.length + 1)] = v;
  return out;
}

const textValues = (body: Body): Values => Object.fromEntries(Object.entries(body).filter(([k, v]) => typeof v === 'string' && k !== '_csrf')) as Values;

export function updateRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const signedIn = organiserOnly(s);
    const posted = { preHandler: [sameOrigin, f.csrfProtection, signedIn] };

    // The reply's form carries a file: multipart, parsed by the platform's own FormData (this plugin's routes only).
    f.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: REPLY_BODY_LIMIT }, async (req: FastifyRequest, raw: Buffer) => {
      let form: FormData;
      try {
        form = await new Response(raw, { headers: { 'content-type': String(req.headers['content-type']) } }).formData();
      } catch {
        throw new DomainError('VALIDATION_FAILED', 'The form could not be read (multipart/form-data)', [{ field: 'pdf', code: 'INVALID_FILE' }]);
      }
      const out: Body = {};
      for (const [k, v] of form) out[k] = typeof v === 'string' ? v : new Uint8Array(await v.arrayBuffer());
      return out;
    });

    async function draw(req: Req, reply: FastifyReply, opts: { values?: Values; errors?: DomainError['fields']; form?: 'update' | 'reply' | 'bounce'; notice?: string } = {}, status = 200) {
      const { t } = req;
      const desk = await updatesDesk(s.deps, req.params.slug, req.organiser);
      // The update form holds what was posted (after an error), else the milestone draft when the goal is reached.
      const draft = desk.offerMilestone ? milestoneValues(desk, translator) : undefined;
      const form = opts.form ?? 'update';
      return sendPage(reply, updatesPage(t, base, {
        me: req.organiser, csrf: reply.generateCsrf(), nonce: randomBytes(16).toString('base64url'), desk,
        updateValues: form === 'update' ? opts.values ?? draft : draft, replyValues: form === 'reply' ? opts.values : undefined,
        bounceValues: form === 'bounce' ? opts.values : undefined,
        errors: opts.errors, form, notice: opts.notice,
      }), status);
    }

    f.get<G>('/:lang/organise/letters/:slug/updates', { preHandler: signedIn }, async (req: Req, reply) => {
      const { t } = req;
      const q = req.query;
      const notice = q.sent !== undefined ? t('desk.updates.sent', { count: Number(q.sent) || 0 })
        : q.repeat !== undefined ? t('desk.updates.repeat')
        : q.delivered !== undefined ? t('desk.delivery.queued', { count: Number(q.delivered) || 0 })
        : q.replied !== undefined ? t('desk.reply.saved')
        : q.bounced !== undefined ? t('desk.delivery.bounced') : undefined;
      return draw(req, reply, notice ? { notice } : {});
    });

    f.post<G>('/:lang/organise/letters/:slug/updates', posted, async (req: Req, reply) => {
      const body = req.body ?? {};
      try {
        const r = await sendUpdate(s.deps, req.params.slug, req.organiser, {
          subject: perLanguage(body, 'subject'), body: perLanguage(body, 'body'), key: str(body.key), kind: body.kind === 'milestone' ? 'milestone' : 'update',
        });
        const q = r.created ? `sent=${r.update.recipients}` : 'repeat=1';
        return reply.redirect(`/${req.t.lang}/organise/letters/${encodeURIComponent(req.params.slug)}/updates?${q}`, 303);
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'VALIDATION_FAILED') throw e;
        return draw(req, reply, { values: textValues(body), errors: e.fields, form: 'update' }, 400);
      }
    });

    f.post<G>('/:lang/organise/letters/:slug/replies', { ...posted, bodyLimit: REPLY_BODY_LIMIT }, async (req: Req, reply) => {
      const body = req.body ?? {};
      const pdf = body.pdf instanceof Uint8Array && body.pdf.length ? body.pdf : undefined;
      try {
        await recordReply(s.deps, req.params.slug, req.organiser, { texts: perLanguage(body, 'texts'), receivedOn: str(body.receivedOn), notify: body.notify === 'yes', key: str(body.key) }, pdf);
        return reply.redirect(`/${req.t.lang}/organise/letters/${encodeURIComponent(req.params.slug)}/updates?replied=1`, 303);
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'VALIDATION_FAILED') throw e;
        return draw(req, reply, { values: textValues(body), errors: e.fields, form: 'reply' }, 400);
      }
    });

    f.post<G>('/:lang/organise/letters/:slug/deliver', posted, async (req: Req, reply) => {
      const r = await deliverLetter(s.deps, s.documents, req.params.slug, { actor: req.organiser });
      return reply.redirect(`/${req.t.lang}/organise/letters/${encodeURIComponent(req.params.slug)}/updates?delivered=${r.deliveries.length}`, 303);
    });

    f.post<G>('/:lang/organise/letters/:slug/bounce', posted, async (req: Req, reply) => {
      const body = req.body ?? {};
      try {
        await markBounced(s.deps, req.params.slug, req.organiser, str(body.delivery) ?? '', body.bounce);
        return reply.redirect(`/${req.t.lang}/organise/letters/${encodeURIComponent(req.params.slug)}/updates?bounced=1`, 303);
      } catch (e) {
        if (e instanceof DomainError && e.code === 'VALIDATION_FAILED') return draw(req, reply, { values: textValues(body), errors: e.fields, form: 'bounce' }, 400);
        if (e instanceof DomainError && e.code === 'DELIVERY_NOT_SENT') return draw(req, reply, { notice: req.t('error.DELIVERY_NOT_SENT') }, 409);
        throw e;
      }
    });
  };
}
