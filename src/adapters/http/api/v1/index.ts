/** JSON API v1, by resource. Public fields only: emails are accepted when signing and never returned. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../../config.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { confirmationApi } from './confirmations.ts';
import { letterApi } from './letters.ts';
import { signatureApi } from './signatures.ts';
import { organiseApi } from './organise.ts';
import { openDataApi } from './open-data.ts';
import { challengeApi } from './challenge.ts';

export function apiRoutes(s: Services, config: Config) {
  return async (f: FastifyInstance) => {
    // Answers are private unless a route says otherwise.
    f.addHook('onSend', async (_req, reply, payload) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      return payload;
    });
    await f.register(letterApi(s)); //            GET /letters, /letters/:slug, /letters/:slug/stats
    await f.register(signatureApi(s, config)); // GET|POST /letters/:slug/signatures
    await f.register(confirmationApi(s)); //      POST /confirmations
    await f.register(organiseApi(s)); //          GET …/organise/letters/:slug/signatures, POST …/removals (tokens)
    await f.register(challengeApi()); //         GET /challenge (proof of work for signing)
    await f.register(openDataApi(s)); //          GET /letters/:slug/signatures.csv, /letters/:slug/hourly.csv
  };
}
