/**
 * The signer's private pages (reached by links only they received) and the public privacy page:
 * /:lang/receipts/:token (+ .tlog-proof, .json, /verify), /:lang/verify, /:lang/withdraw, /:lang/privacy.
 * GET never changes anything; withdrawing is a POST with the CSRF token.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { App } from '../../../main.ts';
import { DomainError } from '../../../core/errors.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import { signerReceipt, signerView } from '../../../use-cases/receipts.ts';
import { withdraw } from '../../../use-cases/withdraw.ts';
import { translator, type T } from '../../i18n/index.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { html, type SafeHtml } from '../views/html.ts';
import { layout } from '../views/layout.ts';
import { messagePage } from '../views/letter.ts';
import { receiptCheckerScript } from '../browser-bundle.ts';
import { checkLang, sendPage, uiAlternates } from './index.ts';
import { SIGN_BODY_LIMIT } from '../app.ts';
import { isCrossSiteError, sameOriginOnly } from '../cross-origin.ts';

type G = { Params: Record<string, string>; Querystring: Record<string, string>; Body: Record<string, string> };
type Req = FastifyRequest<G>;

const CHECKER = '/assets/receipt-check.js';
const VERIFY_KEYS: MessageKey[] = [
  'verify.running', 'verify.key', 'verify.ok.checkpoint', 'verify.ok.inclusion', 'verify.ok.entry', 'verify.ok.consistent', 'verify.ok.active',
  'verify.bad.cancelled', 'verify.ok.name', 'verify.bad.name', 'verify.ok.contact', 'verify.bad.contact', 'verify.fail', 'verify.done.ok', 'verify.done.bad',
];

/** The checker's strings for the page language, raw (the script fills in {placeholders} itself). */
function checkerMessages(t: T): string {
  return JSON.stringify(Object.fromEntries(VERIFY_KEYS.map((k) => [k, t(k, { size: '{size}', index: '{index}', letter: '{letter}', time: '{time}', key: '{key}', type: '{type}', reason: '{reason}', name: '{name}', email: '{email}', message: '{message}' })])));
}

function checker(t: T, opts: { receipt?: string; sidecar?: string }): SafeHtml {
  return html`<section id="receipt-check" class="receipt-check" hidden data-lang="${t.lang}" data-messages="${checkerMessages(t)}"${opts.receipt ? html` data-receipt="${opts.receipt}"` : ''}${opts.sidecar ? html` data-sidecar="${opts.sidecar}"` : ''}>
<form>
  <div class="field"><label for="receipt">${t('verify.file')}</label><input type="file" id="receipt" name="receipt" accept=".tlog-proof,text/plain"></div>
  <div class="field"><label for="sidecar">${t('verify.sidecarFile')}</label><input type="file" id="sidecar" name="sidecar" accept=".json,application/json"></div>
  <div class="field"><label for="name">${t('verify.name')}</label><input type="text" id="name" name="name" dir="auto"></div>
  <button type="submit" class="primary">${t('verify.button')}</button>
</form>
<p class="summary" aria-live="polite"></p>
<ol class="checks"></ol>
</section>
<noscript><p class="notice">${t('verify.noscript')}</p></noscript>`;
}

export function signerRoutes(app: App) {
  return fp(async (f: FastifyInstance) => {
    const base = app.config.baseUrl;
    const page = (t: T, title: string, body: SafeHtml, extra: { scripts?: string[]; refreshSeconds?: number } = {}) =>
      layout({ t, title, body, baseUrl: base, noindex: true, ...extra });

    f.get('/assets/receipt-check.js', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(await receiptCheckerScript()),
    );

    f.get<G>('/:lang/receipts/:token', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const token = req.params.token!;
      let view;
      try {
        view = await signerView(app.deps, token);
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return sendPage(reply, page(t, t('receipt.title'), messagePage(t, t('receipt.title'), t('withdraw.invalid'))), 404);
      }
      const { letter, signature, log } = view;
      const title = (versionFor(letter, t.lang) ?? letter.versions[0])!.title;
      const here = `/${t.lang}/receipts/${encodeURIComponent(token)}`;
      const parts: SafeHtml[] = [];
      let refresh: number | undefined;
      if (log?.erasedAt) parts.push(html`<p>${t('receipt.erased')}</p>`);
      else if (signature.status === 'pending') parts.push(html`<p>${t('receipt.pendingSignature')}</p>`);
      else if (!view.sequenced) {
        parts.push(html`<p class="notice">${t('receipt.pending')}</p>`);
        refresh = 3;
      } else {
        parts.push(html`<p>${t('receipt.intro', { title: '\u2068' + title + '\u2069', index: t.number(log!.logIndex!) })}</p><p>${t('receipt.explain')}</p>
<ul class="downloads">
<li><a href="${here}/receipt.tlog-proof" download>${t('receipt.download')}</a></li>
<li><a href="${here}/receipt.json" download>${t('receipt.sidecar')}</a></li>
<li><a href="${here}/verify">${t('receipt.verify')}</a></li>
</ul>`);
      }
      if (signature.status === 'withdrawn' || signature.status === 'invalidated') parts.push(html`<p class="notice">${t('receipt.withdrawn')}</p>`);
      else if (signature.status === 'confirmed' && !log?.erasedAt) {
        parts.push(html`<section class="withdraw"><h2>${t('withdraw.title')}</h2><p>${t('withdraw.body', { title: '\u2068' + title + '\u2069' })}</p>
<form method="post" action="/${t.lang}/withdraw"><input type="hidden" name="token" value="${token}"><button type="submit">${t('withdraw.button')}</button></form></section>`);
      }
      return sendPage(reply, page(t, t('receipt.title'), messagePage(t, t('receipt.title'), html`${parts}`), { refreshSeconds: refresh }));
    });

    async function download(req: Req) {
      try {
        return await signerReceipt(app.deps, req.params.token!);
      } catch (e) {
        if (e instanceof DomainError && e.code === 'TOKEN_INVALID') throw new DomainError('NOT_FOUND', 'Not found');
        throw e;
      }
    }

    f.get<G>('/:lang/receipts/:token/receipt.tlog-proof', async (req: Req, reply) => {
      checkLang(req.params.lang!);
      const { view, proof } = await download(req);
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="undersigned-${view.letter.slug}-${view.log!.logIndex}.tlog-proof"`)
        .send(proof);
    });

    f.get<G>('/:lang/receipts/:token/receipt.json', async (req: Req, reply) => {
      checkLang(req.params.lang!);
      const { view, sidecar } = await download(req);
      return reply
        .type('application/json; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="undersigned-${view.letter.slug}-${view.log!.logIndex}.json"`)
        .send(JSON.stringify(sidecar, null, 2) + '\n');
    });

    f.get<G>('/:lang/receipts/:token/verify', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const here = `/${t.lang}/receipts/${encodeURIComponent(req.params.token!)}`;
      const body = messagePage(t, t('verify.title'), html`<p>${t('verify.intro')}</p>${checker(t, { receipt: `${here}/receipt.tlog-proof`, sidecar: `${here}/receipt.json` })}`);
      return sendPage(reply, page(t, t('verify.title'), body, { scripts: [CHECKER] }));
    });

    f.get<G>('/:lang/verify', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const body = messagePage(t, t('verify.title'), html`<p>${t('verify.intro')}</p>${checker(t, {})}`);
      return sendPage(reply, layout({ t, title: t('verify.title'), body, baseUrl: base, alternates: uiAlternates('/verify'), scripts: [CHECKER] }));
    });

    /** The withdrawal page: a button that withdraws by POST, with `notice` above it after a refused post. */
    async function withdrawView(t: T, token: string, notice?: string): Promise<{ status: number; html: string }> {
      try {
        const { letter, signature } = await signerView(app.deps, token);
        const title = (versionFor(letter, t.lang) ?? letter.versions[0])!.title;
        if (signature.status === 'withdrawn' || signature.status === 'invalidated') return { status: 200, html: page(t, t('withdraw.title'), messagePage(t, t('withdraw.title'), t('withdraw.already'))) };
        const body = messagePage(t, t('withdraw.title'), html`${notice ? html`<div class="alert" role="alert">${notice}</div>` : ''}<p>${t('withdraw.body', { title: '\u2068' + title + '\u2069' })}</p>
<form method="post" action="/${t.lang}/withdraw"><input type="hidden" name="token" value="${token}"><button type="submit" class="primary">${t('withdraw.button')}</button></form>`);
        return { status: 200, html: page(t, t('withdraw.title'), body) };
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        return { status: 404, html: page(t, t('withdraw.title'), messagePage(t, t('withdraw.title'), t('withdraw.invalid'))) };
      }
    }

    // GET shows a button and changes nothing: mail scanners that follow links must not withdraw.
    f.get<G>('/:lang/withdraw', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const v = await withdrawView(t, String(req.query.token ?? ''));
      return sendPage(reply, v.html, v.status);
    });

    const sameOrigin = sameOriginOnly(new URL(base).origin);
    f.post<G>(
      '/:lang/withdraw',
      {
        bodyLimit: SIGN_BODY_LIMIT,
        // Refused as cross-site: the withdrawal page again, saying why (nothing was withdrawn).
        onRequest: async (req: Req) => {
          req.rerender = async (err) => {
            if (!isCrossSiteError(err)) throw err;
            const t = translator(checkLang(req.params.lang!));
            return (await withdrawView(t, String(req.body?.token ?? ''), t('error.CROSS_SITE'))).html;
          };
        },
        preHandler: sameOrigin,
      },
      async (req: Req, reply) => {
        const t = translator(checkLang(req.params.lang!));
        try {
          const { letter, signature, already } = await withdraw(app.deps, String(req.body?.token ?? ''));
          app.reads.invalidate(letter.id);
          app.sequencer.poke();
          const msg = already ? t('withdraw.already') : t('withdraw.done');
          const body = messagePage(t, t('withdraw.title'), html`<p>${msg}</p><p><a href="/${signature.lang}/letters/${letter.slug}">${t('sign.thanks.back')}</a></p>`);
          return sendPage(reply, page(t, t('withdraw.title'), body));
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          return sendPage(reply, page(t, t('withdraw.title'), messagePage(t, t('withdraw.title'), t('withdraw.invalid'))), 400);
        }
      },
    );

    f.get<G>('/:lang/privacy', async (req: Req, reply) => {
      const t = translator(checkLang(req.params.lang!));
      const keys = ['privacy.p1', 'privacy.p2', 'privacy.p3', 'privacy.p4', 'privacy.p5', 'privacy.p6'] as const;
      const body = html`<section class="message privacy"><h1>${t('privacy.title')}</h1>${keys.map((k) => html`<p>${t(k)}</p>`)}<p><a href="/${t.lang}/verify">${t('verify.title')}</a></p></section>`;
      return sendPage(reply, layout({ t, title: t('privacy.title'), body, baseUrl: base, alternates: uiAlternates('/privacy') }));
    });
  });
}
