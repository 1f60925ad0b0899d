/** GET /:lang/letters/:slug (the letter page, public or a draft for its organisers), POST …/sign, GET …/thanks. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../../config.ts';
import { DomainError } from '../../../core/errors.ts';
import type { LetterWithText } from '../../../core/model.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import { sign } from '../../../use-cases/sign.ts';
import type { Services } from '../../../use-cases/services.ts';
import type { T } from '../../i18n/index.ts';
import { fingerprint, LetterPages } from '../cache/letter-pages.ts';
import { sendRepresentation } from '../cache/representations.ts';
import { sameOriginOnly } from '../kit/cross-origin.ts';
import { preferredLang, type LangSlugParams } from '../kit/lang.ts';
import { SIGN_BODY_LIMIT } from '../kit/limits.ts';
import { currentOrganiser } from '../kit/organiser.ts';
import { formValues, letterAlternates, sendPage, signerAlternates } from '../kit/page.ts';
import { refusalMessage } from '../kit/refusals.ts';
import type { Values } from '../views/forms.ts';
import type { SafeHtml } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { ALTCHA_SCRIPT, letterPage, LIST_SLOT, signatoriesSection, thanksBody } from '../views/letter.ts';
import { messageDocument } from '../views/message.ts';
import { letterOpenGraph } from '../views/share.ts';
import { letterExtras } from '../views/letter-extras.ts';
import { latestDeliveries } from '../cache/deliveries.ts';
import { latestReplies } from '../cache/replies.ts';
import { replySection } from '../views/reply.ts';

type G = LangSlugParams & { Querystring: { page?: string }; Body: Record<string, string> | undefined };
type Req = FastifyRequest<G>;

export function letterRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    const base = config.baseUrl;
    // Public forms: refused when another site makes the browser send them (kit/cross-origin.ts; ADR 0003).
    const sameOrigin = sameOriginOnly(new URL(base).origin);
    const pages = new LetterPages();
    const delivery = latestDeliveries(s);
    const replies = latestReplies(s);

    /** The list page asked for: ?page=N, 1 when absent or not a number (reads.page clamps it to the last page). */
    const pageOf = (req: Req) => {
      const p = req.query?.page;
      return p === undefined ? 1 : Number(p) || 1;
    };

    /** Everything the letter page shows, read from PublicReads' short-lived caches. */
    async function letterData(letter: LetterWithText, lang: string, page: number) {
      const count = await s.reads.count(letter.id);
      const list = await s.reads.page(letter.id, lang, page);
      const removals = await s.reads.removals(letter.slug);
      const stats = await s.reads.stats(letter.id);
      const delivered = await delivery(letter.id);
      const replied = await replies(letter.id, letter.slug);
      const held = await s.reads.held(letter.id);
      const split = await s.reads.countSplit(letter.id);
      const notable = await s.reads.notable(letter.id, lang);
      return { count, list, removals, stats, delivered, replied, held, split, notable, hidden: Math.max(0, count - list.total) };
    }

    function drawLetter(letter: LetterWithText, t: T, d: Awaited<ReturnType<typeof letterData>>, values: Values, errors: DomainError['fields'], message?: string, signatories?: SafeHtml) {
      const version = versionFor(letter, t.lang)!;
      return layout({
        t,
        title: version.title,
        baseUrl: base,
        canonical: `/${t.lang}/letters/${letter.slug}`,
        alternates: letterAlternates(letter),
        og: letter.state === 'draft' ? undefined : letterOpenGraph(t, base, letter, version, d.count),
        // The sign form's proof-of-work widget (pages/altcha.ts), only where there is a form.
        ...(letter.state === 'open' ? { scripts: [ALTCHA_SCRIPT], styles: ['/assets/altcha.css'] } : {}),
        body: letterPage({ t, letter, version, count: d.count, held: d.held, split: d.split, notable: d.notable, hidden: d.hidden, list: d.list, values, errors, formMessage: message, removals: d.removals, signatories, extras: letterExtras(t, base, letter, version, d.count, d.stats, d.delivered), reply: replySection(t, d.replied) }),
      });
    }

    /** The letter page with one visitor's form filled in (after an error): drawn for this request only, never cached. */
    async function renderLetter(req: Req, letter: LetterWithText, t: T, values: Values, errors: DomainError['fields'], message?: string) {
      return drawLetter(letter, t, await letterData(letter, t.lang, pageOf(req)), values, errors, message);
    }

    /** The letter a public form was posted to, as the public sees it; LETTER_NOT_FOUND for a draft (as on GET). */
    async function publicLetter(slug: string, lang: string): Promise<LetterWithText> {
      const letter = await s.reads.bySlug(slug);
      if (!letter || letter.state === 'draft' || !versionFor(letter, lang)) throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      return letter;
    }

    f.get<G>('/:lang/letters/:slug', async (req: Req, reply) => {
      const lang = req.t.lang;
      const letter = await s.reads.bySlug(req.params.slug);
      if (!letter) throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      // Drafts are visible to their organisers only (a preview before publishing), drawn per request, never shared.
      if (letter.state === 'draft') {
        const organiser = await currentOrganiser(s, req);
        if (!(organiser && letter.organisers.includes(organiser))) throw new DomainError('LETTER_NOT_FOUND', 'No such letter');
      }
      if (!versionFor(letter, lang)) {
        const langs = letter.versions.map((x) => x.lang);
        // The visitor's language if the letter has it, else the letter's own default language.
        return reply.redirect(`/${preferredLang(req, langs, letter.defaultLang)}/letters/${letter.slug}`, 302);
      }
      const { t } = req;
      const d = await letterData(letter, lang, pageOf(req));
      if (letter.state === 'draft') return reply.header('cache-control', 'private, no-store').type('text/html; charset=utf-8').send(drawLetter(letter, t, d, {}, []));
      // Everything the page shows, as a short key: equal inputs, equal bytes.
      const inputs = `${fingerprint(letter)}.${d.count}.${d.held}.${fingerprint(d.removals)}.${d.list.version}.${fingerprint(d.stats)}.${fingerprint(d.delivered ?? undefined)}.${fingerprint(d.replied)}.${fingerprint(d.split)}.${d.notable.length ? fingerprint(d.notable.map((x) => x.id)) : '-'}`;
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
        // One limit per client for signing, shared with the API (kit/limits.ts).
        preValidation: f.signingLimit,
        onRequest: async (req: Req) => {
          // On a cross-site or rate-limit refusal the form comes back filled in with the explanation.
          req.rerender = async (err) => renderLetter(req, await publicLetter(req.params.slug, req.t.lang), req.t, formValues(req.body), [], refusalMessage(req.t, err));
        },
        preHandler: sameOrigin,
      },
      async (req: Req, reply) => {
        const { t } = req;
        const values = formValues(req.body);
        let held = false;
        // Screened as the API's signings are (kit/screening.ts): a held signing is stored and mailed all the same.
        const screening = await f.screen.screen({ ip: req.ip, slug: req.params.slug, body: req.body });
        try {
          // The same use-case and letter snapshot as the API's POST /api/v1/letters/:slug/signatures.
          held = (await sign(s.deps, req.params.slug, { ...values, lang: t.lang }, { hold: screening.hold, source: screening.source })).held;
        } catch (e) {
          // Only a stored signing counts towards the screen's limits (a post that fails validation does not).
          screening.notStored();
          if (!(e instanceof DomainError)) throw e;
          const known = e.code === 'VALIDATION_FAILED' || e.code === 'LETTER_CLOSED' || e.code === 'LETTER_NOT_OPEN';
          if (!known) throw e;
          // A draft is not there for the public: answering with its page would show its text to anyone.
          const letter = await publicLetter(req.params.slug, t.lang);
          if (e.code === 'VALIDATION_FAILED') return sendPage(reply, await renderLetter(req, letter, t, values, e.fields), 400);
          return sendPage(reply, await renderLetter(req, letter, t, values, [], t(`error.${e.code}`)), 409);
        }
        // Stored either way; while many mails wait to go out, the thanks page says the mail may take a few minutes.
        // A held one is told it waits for a check once confirmed.
        const query = [s.health.mailDelayed() ? 'mail=delayed' : '', held ? 'check=1' : ''].filter(Boolean).join('&');
        return reply.redirect(`/${t.lang}/letters/${encodeURIComponent(req.params.slug)}/thanks${query ? `?${query}` : ''}`, 303);
      },
    );

    f.get<G & { Querystring: { mail?: string; check?: string } }>('/:lang/letters/:slug/thanks', async (req, reply) => {
      const letter = await s.reads.bySlug(req.params.slug);
      const alternates = signerAlternates(`/letters/${encodeURIComponent(req.params.slug)}/thanks`, letter);
      const body = thanksBody(req.t, req.params.slug, req.query.mail === 'delayed', req.query.check === '1');
      return sendPage(reply, messageDocument(req.t, base, req.t('sign.thanks.title'), body, { alternates: alternates.map((a) => req.query.check === '1' ? { ...a, href: `${a.href}?check=1` } : a) }));
    });
  };
}
