/** GET /:lang/privacy, the public privacy page. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../config.ts';
import type { LangParams } from '../kit/lang.ts';
import { sendPage, uiAlternates } from '../kit/page.ts';
import { privacyPage } from '../views/privacy.ts';

export function privacyRoutes(config: Config) {
  return async (f: FastifyInstance) => {
    f.get<LangParams>('/:lang/privacy', async (req, reply) => sendPage(reply, privacyPage(req.t, config.baseUrl, uiAlternates('/privacy'), config.contact)));
  };
}
