/**
 * The pages, by URL: one file per area. Every route under /:lang gets `req.t` from kit/lang.ts (an unknown language
 * is a 404); organiser pages check the session with kit/organiser.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../config.ts';
import type { Services } from '../../../use-cases/services.ts';
import { langHook } from '../kit/lang.ts';
import type { CapturedMail } from '../views/dev-outbox.ts';
import { confirmRoutes } from './confirm.ts';
import { devRoutes } from './dev.ts';
import { homeRoutes } from './home.ts';
import { letterRoutes } from './letters.ts';
import { privacyRoutes } from './privacy.ts';
import { receiptRoutes } from './receipts.ts';
import { withdrawRoutes } from './withdraw.ts';
import { manageRoutes } from './manage.ts';
import { letterDocumentRoutes } from './letter-documents.ts';
import type { LetterDocuments } from '../letter-documents.ts';
import { letterEmbedRoutes } from './letter-embed.ts';
import { organiserLetterRoutes } from './organise/letters.ts';
import { retentionRoutes } from './organise/retention.ts';
import { reviewRoutes } from './organise/reviews.ts';
import { sessionRoutes } from './organise/session.ts';
import { signatureTableRoutes } from './organise/signatures.ts';
import { updateRoutes } from './organise/updates.ts';
import { unsubscribeRoutes } from './unsubscribe.ts';
import { replyRoutes } from './replies.ts';
import { heldRoutes } from './organise/held.ts';
import { altchaAssets } from './altcha.ts';
import { importRoutes } from './organise/import.ts';

export function pageRoutes(s: Services, config: Config, devOutbox: ((limit: number) => readonly CapturedMail[]) | undefined) {
  return async (f: FastifyInstance) => {
    langHook(f, async (slug) => (await s.reads.bySlug(slug))?.versions.map((v) => v.lang));
    f.decorateRequest('organiser', '');
    await f.register(homeRoutes(s, config)); //                /, /:lang/
    await f.register(letterRoutes(s, config)); //              /:lang/letters/:slug[/sign, /thanks]
    // main.ts makes Services.documents a LetterDocuments (../letter-documents.ts), which also draws the cards.
    await f.register(letterDocumentRoutes(s, s.documents as LetterDocuments)); // /:lang/letters/:slug.pdf, /letters/:slug.pdf
    await f.register(replyRoutes(s)); //                       /letters/:slug/replies/:id.pdf
    await f.register(letterEmbedRoutes(s)); //                 /:lang/letters/:slug/embed, /letters/:slug/badge.svg
    await f.register(confirmRoutes(s, config)); //             /:lang/confirm[/renew]
    await f.register(altchaAssets()); //                       /assets/altcha.js, /assets/altcha-sha.js, /assets/altcha.css
    await f.register(receiptRoutes(s, config)); //             /:lang/receipts/:token[/…], /:lang/verify, /assets/receipt-check.js
    await f.register(withdrawRoutes(s, config)); //            /:lang/withdraw
    await f.register(manageRoutes(s, config)); //             /:lang/manage[/visibility, /withdraw, /export, /erase]
    await f.register(privacyRoutes(config)); //                /:lang/privacy
    await f.register(unsubscribeRoutes(s, config)); //         /:lang/unsubscribe (update mails' link and one-click POST)
    await f.register(sessionRoutes(s, config)); //             /:lang/organise[/login, /login/complete, /logout]
    await f.register(organiserLetterRoutes(s, config)); //     /:lang/organise/new, /:lang/organise/letters/:slug/{edit,state}
    await f.register(reviewRoutes(s, config)); //              /:lang/organise/letters/:slug/reviews[/:id]
    await f.register(retentionRoutes(s, config)); //           /:lang/organise/letters/:slug/log
    await f.register(signatureTableRoutes(s, config)); //      /:lang/organise/letters/:slug/{signatures[.csv],removals}
    await f.register(updateRoutes(s, config)); //              /:lang/organise/letters/:slug/{updates,replies,deliver}
    await f.register(heldRoutes(s, config)); //                /:lang/organise/letters/:slug/held (held signatures, sources)
    await f.register(importRoutes(s, config)); //              /:lang/organise/letters/:slug/{import,notable}
    if (config.dev) await f.register(devRoutes(config, devOutbox)); // /dev/outbox
  };
}
