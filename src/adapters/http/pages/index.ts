/** Server-rendered pages. Each handler: validate → authorise → one use-case → present. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { App } from '../../../main.ts';
import { DomainError } from '../../../core/errors.ts';
import { BUSY_RETRY_AFTER_S } from '../errors.ts';
import type { LetterWithText } from '../../../core/model.ts';
import { isLangTag, versionFor } from '../../../core/letters/letter.ts';
import { sign } from '../../../use-cases/sign.ts';
import { confirm, inspectToken, renewConfirmation } from '../../../use-cases/confirm.ts';
import { translator, UI_LANGS, type T } from '../../i18n/index.ts';
import { html, type SafeHtml } from '../views/html.ts';
import type { Values } from '../views/forms.ts';
import { layout, languageLabel, type Alternate } from '../views/layout.ts';
import { letterPage, messagePage, signatoriesSection } from '../views/letter.ts';
import { fingerprint, LetterPages, LIST_SLOT } from './letter-page.ts';
import { sendRepresentation } from '../representations.ts';
import { isCrossSiteError, sameOriginOnly } from '../cross-origin.ts';
import { preferredLang, SIGN_BODY_LIMIT } from '../app.ts';
import { organiserRoutes, currentOrganiser } from './organise.ts';
import { devRoutes } from './dev.ts';
import { signerRoutes } from './signer.ts';
import { organiseLogRoutes } from './organise-log.ts';

type G = { Params: Record<string, string>; Querystring: Record<string, string>; Body: Record<string, string> };
type Req = FastifyRequest<G>;

const SIGN_FIELDS = ['name', 'nameAlt', 'title', 'country', 'email', 'visibility', 'consentUpdates'] as const;

export function formValues(body: unknown): Values {
  const b = (body ?? {}) as Record<string, unknown>;
  const v: Values = {};
  for (const k of SIGN_FIELDS) if (typeof b[k] === 'string') v[k] = b[k] as string;
  return v;
}

function letterAlternates(letter: LetterWithText, path = ''): Alternate[] {
  return letter.versions.map((v) => ({ lang: v.lang, href: `/${v.lang}/letters/${letter.slug}${path}`, label: languageLabel(v.lang) }));
}

export function uiAlternates(path: string): Alternate[] {
  return UI_LANGS.map((l) => ({ lang: l, href: `/${l}${path}`, label: languageLabel(l) }));
}

export function checkLang(lang: string): string {
  if (!isLangTag(lang)) throw new DomainError('NOT_FOUND', 'Not found');
  return lang;
}

export function sendPage(reply: FastifyReply, page: string, status = 200) {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
}

export function pageRoutes(app: App) {
  return fp(async (f: FastifyInstance) => {
    const base = app.config.baseUrl;

    // Public forms: refused when another site makes the browser send them (cross-origin.ts; ADR 0003).
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const pages = new LetterPages();

    /** The list page asked for: ?page=N, 1 when absent or not a number (reads.page clamps it to the last page). */
    const pageOf = (req: Req) => {
      const p = req.query?.page;
      return p === undefined ? 1 : Number(p) || 1;
    };

    /** Everything the letter page shows, read from PublicReads' short-lived caches. */
    async function letterData(letter: LetterWithText, lang: string, page: number) {
      const count = await app.reads.count(letter.id);
      const list = await app.reads.page(letter.id, lang, page);
      const removals = await app.reads.removals(letter.slug);
      return { count, list, removals, hidden: Math.max(0, count - list.total) };
    }

    function drawLetter(letter: LetterWithText, t: T, d: Awaited<ReturnType<typeof letterData>>, values: Values, errors: DomainError['fields'], message?: string, signatories?: SafeHtml) {
      const version = versionFor(letter, t.lang)!;
      return layout({
        t,
        title: version.title,
        baseUrl: base,
        canonical: `/${t.lang}/letters/${letter.slug}`,
        alternates: letterAlternates(letter),
        body: letterPage({ t, letter, version, count: d.count, hidden: d.hidden, list: d.list, values, errors, formMessage: message, removals: d.removals, signatories }),
      });
    }

    /** The letter page with one visitor's form filled in (after an error): drawn for this request only, never cached. */
    async function renderLetter(req: Req, letter: LetterWithText, t: T, values: Values, errors: DomainError['fields'], message?: string) {
      return drawLetter(letter, t, await letterData(letter, t.lang, pageOf(req)), values, errors, message);
    }

    f.get<G>('/', async (req, reply) => reply.redirect(`/${preferredLang(req)}/`, 302));

    f.get<G>('/:lang/', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const letters = (await app.store.letters.list({ state: 'open' })).slice(0, 200);
      const items = await Promise.all(
        letters.map(async (l) => {
          const full = await app.store.letters.byId(l.id);
          const v = full && (versionFor(full, t.lang) ?? versionFor(full, full.defaultLang));
          if (!full || !v) return html``;
          const count = await app.reads.count(l.id);
          return html`<li><a href="/${v.lang}/letters/${l.slug}" lang="${v.lang}" dir="${translator(v.lang).dir}">${v.title}</a> <span class="count">${t('letter.count', { count })}</span></li>`;
        }),
      );
      const body = html`<section><h1>${t('home.title')}</h1>${letters.length ? html`<ul class="letters">${items}</ul>` : html`<p>${t('home.empty')}</p>`}</section>`;
      return sendPage(reply, layout({ t, title: t('home.title'), body, baseUrl: base, alternates: uiAlternates('/'), signedInAs: await currentOrganiser(app, req) }));
    });

    f.get<G>('/:lang/letters/:slug', async (req: Req, reply) => {
      const lang = checkLang(req.params.lang!);
      const letter = await app.reads.bySlug(req.params.slug!);
      if (!letter) throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      // Drafts are visible to their organisers only (a preview before publishing), drawn per request, never shared.
      if (letter.state === 'draft') {
        const organiser = await currentOrganiser(app, req);
        if (!(organiser && letter.organisers.includes(organiser))) throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      }
      if (!versionFor(letter, lang)) {
        const langs = letter.versions.map((x) => x.lang);
        const wanted = preferredLang(req, langs);
        return reply.redirect(`/${langs.includes(wanted) ? wanted : letter.defaultLang}/letters/${letter.slug}`, 302);
      }
      const t = translator(lang);
      const d = await letterData(letter, lang, pageOf(req));
      if (letter.state === 'draft') return reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8').send(drawLetter(letter, t, d, {}, []));
      // Everything the page shows, as a short key: equal inputs, equal bytes.
      const inputs = `${fingerprint(letter)}.${d.count}.${fingerprint(d.removals)}.${d.list.version}`;
      const key = `${letter.id}\u0000${lang}`;
      const rep = pages.peek(key, d.list.page, inputs) ?? await pages.get(key, d.list.page, inputs, {
        frame: () => drawLetter(letter, t, d, {}, [], undefined, LIST_SLOT),
        list: () => signatoriesSection({ t, letter, list: d.list, hidden: d.hidden, removals: d.removals }).value,
      });
      return sendRepresentation(req, reply, rep);
    });

    f.post<G>(
      '/:lang/letters/:slug/sign',
      {
        bodyLimit: SIGN_BODY_LIMIT,
        config: { rateLimit: app.config.rateLimitPerMinute ? { max: app.config.rateLimitPerMinute, timeWindow: 60_000 } : false },
        onRequest: async (req: Req) => {
          // On a cross-site or rate-limit refusal the form comes back filled in with the explanation.
          req.rerender = async (err) => {
            const letter = await app.store.letters.bySlug(req.params.slug!);
            if (!letter || letter.state === 'draft' || !versionFor(letter, req.params.lang!)) throw err;
            const t = translator(req.params.lang!);
            const retry = Number((err as { retryAfter?: number }).retryAfter ?? 60);
            const msg = err.code === 'RATE_LIMITED' ? t('error.RATE_LIMITED', { seconds: t.number(retry) })
              : err.code === 'SERVER_BUSY' ? t('error.SERVER_BUSY', { seconds: t.number(BUSY_RETRY_AFTER_S) })
              : isCrossSiteError(err) ? t('error.CROSS_SITE') : t('error.CSRF_INVALID');
            return renderLetter(req, letter, t, formValues(req.body), [], msg);
          };
        },
        preHandler: sameOrigin,
      },
      async (req: Req, reply) => {
        const lang = checkLang(req.params.lang!);
        const t = translator(lang);
        const values = formValues(req.body);
        const letter = await app.store.letters.bySlug(req.params.slug!);
        // A draft is not there for the public (as on GET): answering it with its page would show its text to anyone.
        if (!letter || letter.state === 'draft' || !versionFor(letter, lang)) throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
        try {
          await sign(app.deps, letter.slug, { ...values, lang });
        } catch (e) {
          if (e instanceof DomainError && e.code === 'VALIDATION_FAILED') return sendPage(reply, await renderLetter(req, letter, t, values, e.fields), 400);
          if (e instanceof DomainError && (e.code === 'LETTER_CLOSED' || e.code === 'LETTER_NOT_OPEN')) {
            return sendPage(reply, await renderLetter(req, letter, t, values, [], t(`error.${e.code}`)), 409);
          }
          throw e;
        }
        app.worker.poke();
        return reply.redirect(`/${lang}/letters/${encodeURIComponent(req.params.slug!)}/thanks`, 303);
      },
    );

    f.get<G>('/:lang/letters/:slug/thanks', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const body = messagePage(t, t('sign.thanks.title'), html`<p>${t('sign.thanks.body')}</p><p><a href="/${t.lang}/letters/${req.params.slug!}">${t('sign.thanks.back')}</a></p>`);
      return sendPage(reply, layout({ t, title: t('sign.thanks.title'), body, baseUrl: base, noindex: true }));
    });

    /** The confirmation page: a button that confirms by POST, with `notice` above it after a refused post. */
    async function confirmView(t: T, token: string, notice?: string) {
      try {
        const { letter, signature } = await inspectToken(app.deps, token);
        const title = (versionFor(letter, t.lang) ?? letter.versions[0])!.title;
        if (signature.status === 'confirmed') return { status: 200, body: messagePage(t, t('confirm.done.title'), t('confirm.already')) };
        return {
          status: 200,
          body: messagePage(
            t,
            t('confirm.title'),
            html`${notice ? html`<div class="alert" role="alert">${notice}</div>` : ''}<p>${t('confirm.body', { name: '\u2068' + signature.name + '\u2069', title: '\u2068' + title + '\u2069' })}</p>
<form method="post" action="/${t.lang}/confirm"><input type="hidden" name="token" value="${token}"><button type="submit" class="primary">${t('confirm.button')}</button></form>`,
          ),
        };
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return { status: 404, body: messagePage(t, t('confirm.title'), t('confirm.invalid')) };
      }
    }

    /** For public forms refused as cross-site: the page they came from again, with the explanation. */
    function rerenderOnCrossSite(req: Req, draw: (t: T, message: string) => Promise<string>) {
      req.rerender = async (err) => {
        if (!isCrossSiteError(err)) throw err;
        const t = translator(checkLang(req.params.lang!));
        return draw(t, t('error.CROSS_SITE'));
      };
    }

    // GET shows a button and changes nothing: mail scanners that follow links must not confirm.
    f.get<G>('/:lang/confirm', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const { body, status } = await confirmView(t, String(req.query.token ?? ''));
      return sendPage(reply.header('referrer-policy', 'no-referrer'), layout({ t, title: t('confirm.title'), body, baseUrl: base, noindex: true }), status);
    });

    const refusedConfirm = (req: Req) =>
      rerenderOnCrossSite(req, async (t, message) => layout({ t, title: t('confirm.title'), body: (await confirmView(t, String(req.body?.token ?? ''), message)).body, baseUrl: base, noindex: true }));

    f.post<G>('/:lang/confirm', { bodyLimit: SIGN_BODY_LIMIT, onRequest: async (req: Req) => refusedConfirm(req), preHandler: sameOrigin }, async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const token = String(req.body?.token ?? '');
      try {
        const { letter, signature, receiptToken } = await confirm(app.deps, token);
        app.reads.invalidate(letter.id);
        app.sequencer.poke();
        const title = (versionFor(letter, t.lang) ?? letter.versions[0])!.title;
        const receipt = receiptToken ? html`<p><a class="receipt" href="/${t.lang}/receipts/${receiptToken}">${t('confirm.done.receipt')}</a></p><p class="hint">${t('confirm.done.receiptHint')}</p>` : '';
        const body = messagePage(t, t('confirm.done.title'), html`<p>${t('confirm.done.body', { title: '\u2068' + title + '\u2069' })}</p>${receipt}<p><a href="/${signature.lang}/letters/${letter.slug}">${t('sign.thanks.back')}</a></p>`);
        return sendPage(reply, layout({ t, title: t('confirm.done.title'), body, baseUrl: base, noindex: true }));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        const renew = html`<form method="post" action="/${t.lang}/confirm/renew"><input type="hidden" name="token" value="${token}"><button type="submit">${t('confirm.renew')}</button></form>`;
        const map: Partial<Record<string, ReturnType<typeof html>>> = {
          SIGNATURE_ALREADY_CONFIRMED: html`<p>${t('confirm.already')}</p>`,
          TOKEN_EXPIRED: html`<p>${t('confirm.expired')}</p>${renew}`,
          TOKEN_USED: html`<p>${t('confirm.used')}</p>${renew}`,
          LETTER_CLOSED: html`<p>${t('confirm.closed')}</p>`,
        };
        const body = messagePage(t, t('confirm.title'), map[e.code] ?? html`<p>${t('confirm.invalid')}</p>`);
        return sendPage(reply, layout({ t, title: t('confirm.title'), body, baseUrl: base, noindex: true }), e.code === 'SIGNATURE_ALREADY_CONFIRMED' ? 200 : 400);
      }
    });

    f.post<G>(
      '/:lang/confirm/renew',
      { bodyLimit: SIGN_BODY_LIMIT, onRequest: async (req: Req) => refusedConfirm(req), preHandler: sameOrigin, config: { rateLimit: app.config.rateLimitPerMinute ? { max: app.config.rateLimitPerMinute, timeWindow: 60_000 } : false } },
      async (req: Req, reply) => {
        const t = translator(checkLang(req.params.lang!));
        let msg = t('confirm.renewed');
        try {
          await renewConfirmation(app.deps, String(req.body?.token ?? ''));
          app.worker.poke();
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          msg = e.code === 'SIGNATURE_ALREADY_CONFIRMED' ? t('confirm.already') : e.code === 'LETTER_CLOSED' ? t('confirm.closed') : t('confirm.invalid');
        }
        return sendPage(reply, layout({ t, title: t('confirm.title'), body: messagePage(t, t('confirm.title'), msg), baseUrl: base, noindex: true }));
      },
    );

    await f.register(organiserRoutes(app));
    await f.register(signerRoutes(app));
    await f.register(organiseLogRoutes(app));
    if (app.config.dev) await f.register(devRoutes(app));
  });
}
