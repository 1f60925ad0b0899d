/** /:lang/organise/new, /:lang/organise/letters/:slug/edit and /state: an organiser's letters. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../../config.ts';
import { DomainError } from '../../../../core/errors.ts';
import { createLetter } from '../../../../use-cases/create-letter.ts';
import { checkOrganiser } from '../../../../use-cases/instance-admins.ts';
import { editLetter, setLetterState } from '../../../../use-cases/edit-letter.ts';
import { letterForOrganiser } from '../../../../use-cases/reads/organiser-views.ts';
import { auditTrail, letterForOwner } from '../../../../use-cases/reads/audit-trail.ts';
import { auditPage, stateConfirmPage } from '../../views/organise/desk-pages.ts';
import type { Services } from '../../../../use-cases/services.ts';
import type { T } from '../../../i18n/index.ts';
import { sameOriginOnly } from '../../kit/cross-origin.ts';
import { currentOrganiser, organiserOnly } from '../../kit/organiser.ts';
import { sendPage } from '../../kit/page.ts';
import { refusalMessage } from '../../kit/refusals.ts';
import type { Values } from '../../views/forms.ts';
import { messageDocument } from '../../views/message.ts';
import { editLetterPage, editNotice, MAX_VERSION_SLOTS, newLetterPage, refusedNotice, valuesFromLetter } from '../../views/organise/letter-form.ts';

type G = { Params: { lang: string; slug?: string }; Querystring: { saved?: string }; Body: Record<string, string> | undefined };
type Req = FastifyRequest<G>;

/** The targets field: one a line, `name | title | email | language` (the title may be left out: `name | email | language`). */
export function targetsFromForm(text: string): { name: string; title?: string; email: string; lang: string }[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((line) => {
    const parts = line.split('|').map((x) => x.trim());
    if (parts.length === 3) return { name: parts[0]!, email: parts[1]!, lang: parts[2]! };
    return { name: parts[0] ?? '', title: parts[1] ?? '', email: parts[2] ?? '', lang: parts.slice(3).join('|') };
  });
}

/** The targets as the form shows them. */
export const targetsToForm = (targets: readonly { name: string; title?: string | undefined; email: string; lang: string }[]): string =>
  targets.map((t) => [t.name, t.title ?? '', t.email, t.lang].join(' | ')).join('\n');

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
    // Absent (a form without the field): the targets stay as they are.
    targets: body.targets === undefined ? undefined : targetsFromForm(body.targets),
    addressee: { name: body['addressee.name'], title: body['addressee.title'] },
    defaultLang: body.defaultLang,
    goal: body.goal,
    organisers: (body.organisers ?? '').split(/[\s,;]+/).filter(Boolean),
    versions,
  };
}

export function organiserLetterRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    // The organiser area keeps its per-session CSRF tokens in addition to the cross-origin check (ADR 0003).
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const signedIn = organiserOnly(s);
    const guarded = { preHandler: signedIn };
    const posted = { preHandler: [sameOrigin, f.csrfProtection, signedIn] };

    /** The form as posted, without its CSRF token. */
    const formAsPosted = (req: Req): Values => {
      const values = { ...(req.body ?? {}) } as Values;
      delete values._csrf;
      return values;
    };

    /**
     * A letter form refused for its token or as cross-site comes back filled in with the explanation (a letter's
     * Markdown can be long work); the new form carries a fresh token.
     */
    const keepForm = (draw: (req: Req, t: T, me: string, csrf: string, notice: ReturnType<typeof refusedNotice>) => string) => async (req: Req, reply: FastifyReply) => {
      req.rerender = async (err) => {
        const me = await currentOrganiser(s, req);
        if (!me) throw err;
        return draw(req, req.t, me, reply.generateCsrf(), refusedNotice(refusalMessage(req.t, err)));
      };
    };
    const keepNew = keepForm((req, t, me, csrf, notice) => newLetterPage(t, base, { me, csrf, values: formAsPosted(req), errors: [], slots: MAX_VERSION_SLOTS, notice }));
    const keepEdit = keepForm((req, t, me, csrf, notice) => editLetterPage(t, base, req.params.slug!, { me, csrf, values: formAsPosted(req), errors: [], slots: MAX_VERSION_SLOTS, notice }));

    /** Who may not create letters here is told why, before writing one (UNDERSIGNED_ORGANISERS). */
    const notAllowed = (req: Req, reply: FastifyReply, e: unknown) => {
      if (!(e instanceof DomainError) || (e.code !== 'ORGANISER_NOT_ALLOWED' && e.code !== 'ORGANISER_APPROVAL_PENDING')) throw e;
      return sendPage(reply, messageDocument(req.t, base, req.t('organise.notAllowed.title'), req.t(`error.${e.code}`), { signedInAs: req.organiser }), 403);
    };

    f.get<G>('/:lang/organise/new', guarded, async (req, reply) => {
      const { t } = req;
      try {
        await checkOrganiser(s.deps, req.organiser!);
      } catch (e) {
        return notAllowed(req, reply, e);
      }
      const values: Values = { defaultLang: t.lang, 'versions.0.lang': t.lang, 'versions.1.lang': t.lang === 'fa' ? 'en' : 'fa' };
      return sendPage(reply, newLetterPage(t, base, { me: req.organiser, csrf: reply.generateCsrf(), values, errors: [], slots: 3 }));
    });

    f.post<G>('/:lang/organise/new', { onRequest: keepNew, ...posted }, async (req: Req, reply) => {
      const { t } = req;
      try {
        const letter = await createLetter(s.deps, letterInputFromForm(req.body ?? {}), { organiser: req.organiser });
        return reply.redirect(`/${t.lang}/organise/letters/${letter.slug}/edit?saved=1`, 303);
      } catch (e) {
        if (e instanceof DomainError && e.code.startsWith('ORGANISER_')) return notAllowed(req, reply, e);
        if (!(e instanceof DomainError) || (e.code !== 'VALIDATION_FAILED' && e.code !== 'SLUG_TAKEN')) throw e;
        const page = newLetterPage(t, base, { me: req.organiser, csrf: reply.generateCsrf(), values: { ...(req.body ?? {}) } as Values, errors: e.fields, slots: 3 });
        return sendPage(reply, page, e.code === 'SLUG_TAKEN' ? 409 : 400);
      }
    });

    f.get<G>('/:lang/organise/letters/:slug/edit', guarded, async (req: Req, reply) => {
      const { t } = req;
      const me = req.organiser;
      const { letter, frozen } = await letterForOrganiser(s.deps, req.params.slug!, me);
      const notice = editNotice(t, letter, Boolean(req.query.saved), frozen);
      const slots = Math.min(MAX_VERSION_SLOTS, letter.versions.length + 1);
      const values = { ...valuesFromLetter(letter, me), targets: targetsToForm(await s.deps.store.deliveries.targets(letter.id)) };
      return sendPage(reply, editLetterPage(t, base, letter.slug, { me, csrf: reply.generateCsrf(), values, errors: [], slots, notice }));
    });

    f.post<G>('/:lang/organise/letters/:slug/edit', { onRequest: keepEdit, ...posted }, async (req: Req, reply) => {
      const { t } = req;
      try {
        const letter = await editLetter(s.deps, req.params.slug!, letterInputFromForm(req.body ?? {}), req.organiser);
        return reply.redirect(`/${t.lang}/organise/letters/${letter.slug}/edit?saved=1`, 303);
      } catch (e) {
        if (!(e instanceof DomainError) || (e.code !== 'VALIDATION_FAILED' && e.code !== 'SLUG_TAKEN')) throw e;
        const page = editLetterPage(t, base, req.params.slug!, { me: req.organiser, csrf: reply.generateCsrf(), values: { ...(req.body ?? {}) } as Values, errors: e.fields, slots: MAX_VERSION_SLOTS });
        return sendPage(reply, page, 400);
      }
    });

    const titleOf = (l: { versions: { lang: string; title: string }[]; defaultLang: string }, lang: string) =>
      (l.versions.find((v) => v.lang === lang) ?? l.versions.find((v) => v.lang === l.defaultLang) ?? l.versions[0])?.title ?? '';

    /** The confirmation step of publish, close and reopen: what will happen, then one POST. */
    f.get<G & { Querystring: { to?: string } }>('/:lang/organise/letters/:slug/state', guarded, async (req, reply) => {
      const to = (req.query as { to?: string }).to;
      if (to !== 'open' && to !== 'closed') throw new DomainError('VALIDATION_FAILED', 'Unknown state', [{ field: 'to', code: 'INVALID_CHOICE' }]);
      const letter = await letterForOwner(s.deps, req.params.slug!, req.organiser);
      const count = await s.deps.store.signatures.countConfirmed(letter.id);
      return sendPage(reply, stateConfirmPage(req.t, base, { me: req.organiser, slug: letter.slug, title: titleOf(letter, req.t.lang), from: letter.state, to, csrf: reply.generateCsrf(), count }));
    });

    f.get<G>('/:lang/organise/letters/:slug/audit', guarded, async (req: Req, reply) => {
      const { letter, entries } = await auditTrail(s.deps, req.params.slug!, req.organiser);
      return sendPage(reply, auditPage(req.t, base, { me: req.organiser, slug: letter.slug, title: titleOf(letter, req.t.lang), entries }));
    });

    f.post<G>('/:lang/organise/letters/:slug/state', posted, async (req: Req, reply) => {
      const { t } = req;
      const to = req.body?.to;
      if (to !== 'open' && to !== 'closed') throw new DomainError('VALIDATION_FAILED', 'Unknown state', [{ field: 'to', code: 'INVALID_CHOICE' }]);
      try {
        await setLetterState(s.deps, req.params.slug!, to, req.organiser);
      } catch (e) {
        if (!(e instanceof DomainError) || (e.code !== 'LETTER_INCOMPLETE' && e.code !== 'LETTER_ILLEGAL_TRANSITION')) throw e;
        return sendPage(reply, messageDocument(t, base, t('error.title'), t('error.generic'), { signedInAs: req.organiser }), 409);
      }
      return reply.redirect(`/${t.lang}/organise`, 303);
    });
  };
}
