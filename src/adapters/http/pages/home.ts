/** GET / (to the visitor's language) and GET /:lang/, the open letters. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../config.ts';
import { versionFor } from '../../../core/letters/letter.ts';
import type { Services } from '../../../use-cases/services.ts';
import { preferredLang, type LangParams } from '../kit/lang.ts';
import { currentOrganiser } from '../kit/organiser.ts';
import { sendPage, uiAlternates } from '../kit/page.ts';
import { homePage } from '../views/home.ts';

export function homeRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    f.get('/', async (req, reply) => reply.redirect(`/${preferredLang(req)}/`, 302));

    f.get<LangParams>('/:lang/', async (req, reply) => {
      const { t } = req;
      const letters = await Promise.all(
        (await s.reads.openLetters()).map(async (full) => {
          const v = full && (versionFor(full, t.lang) ?? versionFor(full, full.defaultLang));
          return full && v ? { slug: full.slug, lang: v.lang, title: v.title, count: await s.reads.count(full.id), split: await s.reads.countSplit(full.id) } : undefined;
        }),
      );
      return sendPage(reply, homePage(t, config.baseUrl, letters, uiAlternates('/'), await currentOrganiser(s, req)));
    });
  };
}
