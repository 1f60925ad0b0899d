/** Organiser pages: sign in by emailed one-time link, create and edit letters and their versions, publish, close. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { App } from '../../../main.ts';
import { DomainError, type FieldError } from '../../../core/errors.ts';
import { BUSY_RETRY_AFTER_S } from '../errors.ts';
import type { LetterState, LetterWithText, Signature } from '../../../core/model.ts';
import { LIMITS } from '../../../core/letters/letter.ts';
import { createLetter } from '../../../use-cases/create-letter.ts';
import { decideReview, listReviews } from '../../../use-cases/decide-review.ts';
import { editLetter, setLetterState } from '../../../use-cases/edit-letter.ts';
import { completeLogin, logout, requestLogin, sessionEmail, SESSION_TTL_MS } from '../../../use-cases/organiser-login.ts';
import { translator, type T } from '../../i18n/index.ts';
import { html, type SafeHtml } from '../views/html.ts';
import { csrfField, input, type Values } from '../views/forms.ts';
import { layout, languageLabel } from '../views/layout.ts';
import { messagePage } from '../views/letter.ts';
import { isCrossSiteError, sameOriginOnly } from '../cross-origin.ts';
import { checkLang, sendPage, uiAlternates } from './index.ts';

type G = { Params: Record<string, string>; Querystring: Record<string, string>; Body: Record<string, string> };
type Req = FastifyRequest<G>;

const SESSION_COOKIE = 'us_session';
const MAX_VERSION_SLOTS = 10;

export async function currentOrganiser(app: App, req: FastifyRequest): Promise<string | undefined> {
  const raw = req.cookies?.[SESSION_COOKIE];
  if (!raw) return undefined;
  const un = req.unsignCookie(raw);
  return un.valid && un.value ? sessionEmail(app.deps, un.value) : undefined;
}

async function requireOrganiser(app: App, req: FastifyRequest, reply: FastifyReply, t: T): Promise<string | undefined> {
  const email = await currentOrganiser(app, req);
  if (!email) {
    reply.redirect(`/${t.lang}/organise`, 303);
    return undefined;
  }
  return email;
}

/** Reads the letter form into the shape the core validates; field names match the core's error paths. */
function letterInputFromForm(body: Record<string, string>) {
  const versions: Record<string, unknown>[] = [];
  for (let i = 0; i < MAX_VERSION_SLOTS; i++) {
    const v: Record<string, unknown> = { lang: body[`versions.${i}.lang`] ?? '', title: body[`versions.${i}.title`] ?? '', body: body[`versions.${i}.body`] ?? '', statement: body[`versions.${i}.statement`] ?? '' };
    const to = (body[`versions.${i}.addressee.name`] ?? '').trim();
    if (to) v.addressee = { name: to, title: body[`versions.${i}.addressee.title`] ?? '' };
    if ([v.lang, v.title, v.body].some((x) => String(x).trim())) versions.push(v);
  }
  return {
    slug: body.slug,
    addressee: { name: body['addressee.name'], title: body['addressee.title'] },
    defaultLang: body.defaultLang,
    goal: body.goal,
    organisers: (body.organisers ?? '').split(/[\s,;]+/).filter(Boolean),
    versions,
  };
}

function valuesFromLetter(l: LetterWithText, me: string): Values {
  const v: Values = {
    slug: l.slug,
    'addressee.name': l.addressee.name,
    'addressee.title': l.addressee.title,
    defaultLang: l.defaultLang,
    goal: l.goal ? String(l.goal) : '',
    organisers: l.organisers.filter((o) => o !== me).join('\n'),
  };
  l.versions.forEach((x, i) => {
    v[`versions.${i}.lang`] = x.lang;
    v[`versions.${i}.title`] = x.title;
    v[`versions.${i}.body`] = x.body;
    v[`versions.${i}.statement`] = x.statement;
    v[`versions.${i}.addressee.name`] = x.addressee?.name;
    v[`versions.${i}.addressee.title`] = x.addressee?.title;
  });
  return v;
}

function letterForm(t: T, action: string, csrf: string, values: Values, errors: FieldError[], slots: number, notice?: SafeHtml | string): SafeHtml {
  const versionFields = [];
  for (let i = 0; i < slots; i++) {
    const vlang = values[`versions.${i}.lang`] || '';
    const vdir = vlang ? translator(vlang).dir : 'auto';
    versionFields.push(html`<fieldset class="version"${vlang ? html` lang="${vlang}"` : ''}>
<legend>${t('organise.version')} ${t.number(i + 1)}${vlang ? html` — ${languageLabel(vlang)}` : ''}</legend>
${i > 0 ? html`<p class="hint">${t('organise.version.add')}</p>` : ''}
${input({ t, name: `versions.${i}.lang`, label: t('organise.version.lang'), values, errors, maxlength: 20, dir: 'ltr' })}
${input({ t, name: `versions.${i}.title`, label: t('organise.version.title'), values, errors, maxlength: LIMITS.title, dir: vdir })}
${input({ t, name: `versions.${i}.body`, label: t('organise.version.body'), values, errors, multiline: true, dir: vdir })}
${input({ t, name: `versions.${i}.statement`, label: t('organise.version.statement'), values, errors, maxlength: LIMITS.statement, dir: vdir })}
${input({ t, name: `versions.${i}.addressee.name`, label: t('organise.version.addressee'), hint: t('organise.version.addressee.hint'), values, errors, maxlength: LIMITS.addresseeName, dir: vdir })}
${input({ t, name: `versions.${i}.addressee.title`, label: t('organise.addresseeTitle'), values, errors, maxlength: LIMITS.addresseeTitle, dir: vdir })}
</fieldset>`);
  }
  return html`${notice ? html`<div class="notice" role="status">${notice}</div>` : ''}
${errors.length ? html`<div class="alert" role="alert">${t('sign.errors')}</div>` : ''}
<form method="post" action="${action}" class="letter-form" novalidate>
${csrfField(csrf)}
${input({ t, name: 'slug', label: t('organise.slug'), values, errors, required: true, maxlength: LIMITS.slug, dir: 'ltr' })}
${input({ t, name: 'addressee.name', label: t('organise.addresseeName'), values, errors, required: true, maxlength: LIMITS.addresseeName })}
${input({ t, name: 'addressee.title', label: t('organise.addresseeTitle'), values, errors, maxlength: LIMITS.addresseeTitle })}
${input({ t, name: 'defaultLang', label: t('organise.defaultLang'), values, errors, maxlength: 20, dir: 'ltr' })}
${input({ t, name: 'goal', label: t('organise.goal'), values, errors, type: 'number', dir: 'ltr' })}
${input({ t, name: 'organisers', label: t('organise.organisers'), values, errors, multiline: true, dir: 'ltr' })}
${versionFields}
<button type="submit" class="primary">${t('organise.save')}</button>
</form>`;
}

export function organiserRoutes(app: App) {
  return fp(async (f: FastifyInstance) => {
    const base = app.config.baseUrl;
    const secure = base.startsWith('https:');
    const rl = app.config.rateLimitPerMinute ? { max: app.config.rateLimitPerMinute, timeWindow: 60_000 } : false;
    // The organiser area keeps its per-session CSRF tokens in addition to the cross-origin check (ADR 0003).
    const sameOrigin = sameOriginOnly(new URL(app.config.baseUrl).origin);

    /**
     * A letter form refused for its token or as cross-site comes back filled in with the explanation (a letter's
     * Markdown can be long work); the new form carries a fresh token.
     */
    const keepLetterForm = (title: 'organise.new' | 'organise.edit', heading: (req: Req, t: T) => SafeHtml, action: (req: Req, t: T) => string) => async (req: Req, reply: FastifyReply) => {
      req.rerender = async (err) => {
        const t = translator(checkLang(req.params.lang!));
        const me = await currentOrganiser(app, req);
        if (!me) throw err;
        const notice = err.code === 'SERVER_BUSY' ? t('error.SERVER_BUSY', { seconds: t.number(BUSY_RETRY_AFTER_S) }) : isCrossSiteError(err) ? t('error.CROSS_SITE') : t('error.CSRF_INVALID');
        const values = { ...(req.body ?? {}) } as Values;
        delete values._csrf;
        const body = html`${heading(req, t)}${letterForm(t, action(req, t), reply.generateCsrf(), values, [], MAX_VERSION_SLOTS, html`<p role="alert">${notice}</p>`)}`;
        return layout({ t, title: t(title), body, baseUrl: base, signedInAs: me, noindex: true });
      };
    };
    const keepNew = keepLetterForm('organise.new', (_req, t) => html`<h1>${t('organise.new')}</h1>`, (_req, t) => `/${t.lang}/organise/new`);
    const keepEdit = keepLetterForm('organise.edit', (req, t) => html`<h1>${t('organise.edit')}: <bdi>${req.params.slug!}</bdi></h1>`, (req, t) => `/${t.lang}/organise/letters/${req.params.slug!}/edit`);

    f.get<G>('/:lang/organise', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const me = await currentOrganiser(app, req);
      if (!me) {
        const body = html`<section class="narrow"><h1>${t('organise.login.heading')}</h1><p>${t('organise.login.body')}</p>
<form method="post" action="/${t.lang}/organise/login">${csrfField(reply.generateCsrf())}
${input({ t, name: 'email', label: t('organise.login.email'), values: {}, errors: [], type: 'email', required: true, autocomplete: 'email', dir: 'ltr' })}
<button type="submit" class="primary">${t('organise.login.submit')}</button></form></section>`;
        return sendPage(reply, layout({ t, title: t('organise.login.heading'), body, baseUrl: base, alternates: uiAlternates('/organise'), noindex: true }));
      }
      const letters = await app.store.letters.list({ organiser: me });
      const csrf = reply.generateCsrf();
      const rows = await Promise.all(
        letters.map(async (l) => {
          const count = await app.store.signatures.countConfirmed(l.id);
          const next: LetterState | undefined = l.state === 'draft' ? 'open' : l.state === 'open' ? 'closed' : 'open';
          const label = l.state === 'draft' ? t('organise.publish') : l.state === 'open' ? t('organise.close') : t('organise.reopen');
          const open = (await app.store.reviews.list(l.id, 'open')).length;
          return html`<tr><td><bdi>${l.slug}</bdi></td><td>${t(`organise.state.${l.state}`)}</td><td>${t.number(count)}</td>
<td class="actions"><a href="/${l.defaultLang}/letters/${l.slug}">${t('organise.view')}</a> <a href="/${t.lang}/organise/letters/${l.slug}/edit">${t('organise.edit')}</a> <a href="/${t.lang}/organise/letters/${l.slug}/reviews">${t('review.link', { count: t.number(open) })}</a>
<form method="post" action="/${t.lang}/organise/letters/${l.slug}/state" class="inline">${csrfField(csrf)}<input type="hidden" name="to" value="${next}"><button type="submit">${label}</button></form></td></tr>`;
        }),
      );
      const body = html`<section><p class="hint">${t('organise.signedInAs', { email: me })}</p>
<form method="post" action="/${t.lang}/organise/logout" class="inline">${csrfField(csrf)}<button type="submit">${t('organise.logout')}</button></form>
<h1>${t('organise.yourLetters')}</h1>
<p><a class="button primary" href="/${t.lang}/organise/new">${t('organise.new')}</a></p>
${letters.length ? html`<table class="letters"><tbody>${rows}</tbody></table>` : html`<p>${t('organise.none')}</p>`}</section>`;
      return sendPage(reply, layout({ t, title: t('organise.yourLetters'), body, baseUrl: base, alternates: uiAlternates('/organise'), signedInAs: me, noindex: true }));
    });

    f.post<G>('/:lang/organise/login', { preHandler: [sameOrigin, f.csrfProtection], config: { rateLimit: rl } }, async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      try {
        await requestLogin(app.deps, req.body?.email, t.lang);
        app.worker.poke();
      } catch (e) {
        if (!(e instanceof DomainError) || e.code !== 'VALIDATION_FAILED') throw e;
        const body = html`<section class="narrow"><h1>${t('organise.login.heading')}</h1>
<form method="post" action="/${t.lang}/organise/login">${csrfField(reply.generateCsrf())}
${input({ t, name: 'email', label: t('organise.login.email'), values: { email: req.body?.email }, errors: e.fields, type: 'email', required: true, dir: 'ltr' })}
<button type="submit" class="primary">${t('organise.login.submit')}</button></form></section>`;
        return sendPage(reply, layout({ t, title: t('organise.login.heading'), body, baseUrl: base, noindex: true }), 400);
      }
      return sendPage(reply, layout({ t, title: t('organise.login.heading'), body: messagePage(t, t('organise.login.heading'), t('organise.login.sent')), baseUrl: base, noindex: true }));
    });

    // Like confirmation links: GET only shows a button, so a mail scanner cannot spend the link.
    f.get<G>('/:lang/organise/login/complete', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const body = html`<section class="narrow"><h1>${t('organise.login.heading')}</h1><form method="post" action="/${t.lang}/organise/login/complete">${csrfField(reply.generateCsrf())}<input type="hidden" name="token" value="${String(req.query.token ?? '')}"><button type="submit" class="primary">${t('organise.login.complete')}</button></form></section>`;
      return sendPage(reply, layout({ t, title: t('organise.login.heading'), body, baseUrl: base, noindex: true }));
    });

    f.post<G>('/:lang/organise/login/complete', { preHandler: [sameOrigin, f.csrfProtection] }, async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      try {
        const s = await completeLogin(app.deps, String(req.body?.token ?? ''));
        reply.setCookie(SESSION_COOKIE, s.sessionId, { signed: true, httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: SESSION_TTL_MS / 1000 });
        return reply.redirect(`/${t.lang}/organise`, 303);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        const msg = e.code === 'TOKEN_EXPIRED' ? t('confirm.expired') : e.code === 'TOKEN_USED' ? t('confirm.used') : t('confirm.invalid');
        return sendPage(reply, layout({ t, title: t('organise.login.heading'), body: messagePage(t, t('organise.login.heading'), html`<p>${msg}</p><p><a href="/${t.lang}/organise">${t('organise.login.submit')}</a></p>`), baseUrl: base, noindex: true }), 400);
      }
    });

    f.post<G>('/:lang/organise/logout', { preHandler: [sameOrigin, f.csrfProtection] }, async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const raw = req.cookies?.[SESSION_COOKIE];
      const un = raw ? req.unsignCookie(raw) : undefined;
      await logout(app.deps, un?.valid ? un.value ?? undefined : undefined);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.redirect(`/${t.lang}/organise`, 303);
    });

    f.get<G>('/:lang/organise/new', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const me = await requireOrganiser(app, req, reply, t);
      if (!me) return reply;
      const values: Values = { defaultLang: t.lang, 'versions.0.lang': t.lang, 'versions.1.lang': t.lang === 'fa' ? 'en' : 'fa' };
      const body = html`<h1>${t('organise.new')}</h1>${letterForm(t, `/${t.lang}/organise/new`, reply.generateCsrf(), values, [], 3)}`;
      return sendPage(reply, layout({ t, title: t('organise.new'), body, baseUrl: base, signedInAs: me, noindex: true }));
    });

    f.post<G>('/:lang/organise/new', { onRequest: keepNew, preHandler: [sameOrigin, f.csrfProtection] }, async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const me = await requireOrganiser(app, req, reply, t);
      if (!me) return reply;
      try {
        const letter = await createLetter(app.deps, letterInputFromForm(req.body ?? {}), { organiser: me });
        return reply.redirect(`/${t.lang}/organise/letters/${letter.slug}/edit?saved=1`, 303);
      } catch (e) {
        if (!(e instanceof DomainError) || (e.code !== 'VALIDATION_FAILED' && e.code !== 'SLUG_TAKEN')) throw e;
        const values = { ...(req.body ?? {}) } as Values;
        const body = html`<h1>${t('organise.new')}</h1>${letterForm(t, `/${t.lang}/organise/new`, reply.generateCsrf(), values, e.fields, 3)}`;
        return sendPage(reply, layout({ t, title: t('organise.new'), body, baseUrl: base, signedInAs: me, noindex: true }), e.code === 'SLUG_TAKEN' ? 409 : 400);
      }
    });

    f.get<G>('/:lang/organise/letters/:slug/edit', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const me = await requireOrganiser(app, req, reply, t);
      if (!me) return reply;
      const letter = await app.store.letters.bySlug(req.params.slug!);
      if (!letter) throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      if (!letter.organisers.includes(me)) throw new DomainError('NOT_AUTHORISED', 'You do not organise this letter');
      const frozen = (await app.store.signatures.countConfirmed(letter.id)) > 0;
      const notice = html`${req.query.saved ? html`<p>${t('organise.saved')}</p>` : ''}<p>${t(`organise.state.${letter.state}`)} · ${t('organise.textVersion', { version: t.number(letter.textVersion) })}</p>${frozen ? html`<p>${t('organise.frozen')}</p>` : ''}<p><a href="/${t.lang}/organise/letters/${letter.slug}/log">${t('privacy.title')}</a></p>`;
      const body = html`<h1>${t('organise.edit')}: <bdi>${letter.slug}</bdi></h1>${letterForm(t, `/${t.lang}/organise/letters/${letter.slug}/edit`, reply.generateCsrf(), valuesFromLetter(letter, me), [], Math.min(MAX_VERSION_SLOTS, letter.versions.length + 1), notice)}`;
      return sendPage(reply, layout({ t, title: t('organise.edit'), body, baseUrl: base, signedInAs: me, noindex: true }));
    });

    f.post<G>('/:lang/organise/letters/:slug/edit', { onRequest: keepEdit, preHandler: [sameOrigin, f.csrfProtection] }, async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const me = await requireOrganiser(app, req, reply, t);
      if (!me) return reply;
      try {
        const letter = await editLetter(app.deps, req.params.slug!, letterInputFromForm(req.body ?? {}), me);
        app.reads.invalidate(letter.id);
        return reply.redirect(`/${t.lang}/organise/letters/${letter.slug}/edit?saved=1`, 303);
      } catch (e) {
        if (!(e instanceof DomainError) || (e.code !== 'VALIDATION_FAILED' && e.code !== 'SLUG_TAKEN')) throw e;
        const values = { ...(req.body ?? {}) } as Values;
        const body = html`<h1>${t('organise.edit')}: <bdi>${req.params.slug!}</bdi></h1>${letterForm(t, `/${t.lang}/organise/letters/${req.params.slug!}/edit`, reply.generateCsrf(), values, e.fields, MAX_VERSION_SLOTS)}`;
        return sendPage(reply, layout({ t, title: t('organise.edit'), body, baseUrl: base, signedInAs: me, noindex: true }), 400);
      }
    });

    f.get<G>('/:lang/organise/letters/:slug/reviews', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const me = await requireOrganiser(app, req, reply, t);
      if (!me) return reply;
      const views = await listReviews(app.deps, req.params.slug!, me);
      const csrf = reply.generateCsrf();
      const person = (s: Signature) => html`<div class="person"><p class="name"><bdi>${s.name}</bdi></p>${s.nameAlt ? html`<p><bdi>${s.nameAlt}</bdi></p>` : ''}${s.title ? html`<p class="hint"><bdi>${s.title}</bdi></p>` : ''}${s.country ? html`<p class="hint">${t.country(s.country)}</p>` : ''}<p class="hint">${s.confirmedAt ? t.date(s.confirmedAt) : ''}</p></div>`;
      const flash = req.query.done === 'merge' ? t('review.merged') : req.query.done === 'dismiss' ? t('review.dismissed') : undefined;
      const body = html`<section><h1>${t('review.title')}: <bdi>${req.params.slug!}</bdi></h1>
<p class="hint">${t('review.help')}</p>
${flash ? html`<div class="notice" role="status">${flash}</div>` : ''}
${views.length === 0 ? html`<p>${t('review.none')}</p>` : views.map(({ review, signature, other }) => html`<article class="review">
<p><strong>${t(review.band === 'likely' ? 'review.band.likely' : 'review.band.review')}</strong> · ${t('review.score', { score: new Intl.NumberFormat(t.lang, { style: 'percent' }).format(review.score) })}</p>
<div class="pair"><div><h2>${t('review.earlier')}</h2>${person(other)}</div><div><h2>${t('review.newer')}</h2>${person(signature)}</div></div>
<form method="post" action="/${t.lang}/organise/letters/${req.params.slug!}/reviews/${review.id}" class="inline">${csrfField(csrf)}<input type="hidden" name="decision" value="merge"><button type="submit" class="primary">${t('review.merge')}</button></form>
<form method="post" action="/${t.lang}/organise/letters/${req.params.slug!}/reviews/${review.id}" class="inline">${csrfField(csrf)}<input type="hidden" name="decision" value="dismiss"><button type="submit">${t('review.dismiss')}</button></form>
</article>`)}
</section>`;
      return sendPage(reply, layout({ t, title: t('review.title'), body, baseUrl: base, signedInAs: me, noindex: true }));
    });

    f.post<G>('/:lang/organise/letters/:slug/reviews/:id', { preHandler: [sameOrigin, f.csrfProtection] }, async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const me = await requireOrganiser(app, req, reply, t);
      if (!me) return reply;
      const decision = req.body?.decision;
      if (decision !== 'merge' && decision !== 'dismiss') throw new DomainError('VALIDATION_FAILED', 'Unknown decision', [{ field: 'decision', code: 'INVALID_CHOICE' }]);
      const { review } = await decideReview(app.deps, req.params.slug!, req.params.id!, decision, me);
      app.reads.invalidate(review.letterId);
      return reply.redirect(`/${t.lang}/organise/letters/${req.params.slug!}/reviews?done=${decision}`, 303);
    });

    f.post<G>('/:lang/organise/letters/:slug/state', { preHandler: [sameOrigin, f.csrfProtection] }, async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const me = await requireOrganiser(app, req, reply, t);
      if (!me) return reply;
      const to = req.body?.to;
      if (to !== 'open' && to !== 'closed') throw new DomainError('VALIDATION_FAILED', 'Unknown state', [{ field: 'to', code: 'INVALID_CHOICE' }]);
      try {
        const letter = await setLetterState(app.deps, req.params.slug!, to, me);
        app.reads.invalidate(letter.id);
      } catch (e) {
        if (!(e instanceof DomainError) || (e.code !== 'LETTER_INCOMPLETE' && e.code !== 'LETTER_ILLEGAL_TRANSITION')) throw e;
        return sendPage(reply, layout({ t, title: t('error.title'), body: messagePage(t, t('error.title'), t('error.generic')), baseUrl: base, signedInAs: me, noindex: true }), 409);
      }
      return reply.redirect(`/${t.lang}/organise`, 303);
    });
  });
}
