/** POST /api/v1/confirmations: confirm a signature with the emailed token. */
import type { FastifyInstance } from 'fastify';
import { confirm } from '../../../../use-cases/confirm.ts';
import { receiptUrl } from '../../../../use-cases/steps/links.ts';
import type { Services } from '../../../../use-cases/services.ts';
import { SIGN_BODY_LIMIT } from '../../kit/limits.ts';
import { requireJson } from './presenters.ts';
import { errorSchema } from './schemas.ts';

export function confirmationApi(s: Services) {
  return async (f: FastifyInstance) => {
    f.post<{ Body: { token: string } }>('/confirmations', {
      bodyLimit: SIGN_BODY_LIMIT,
      schema: {
        tags: ['signatures'],
        summary: 'Confirm a signature with the token from the emailed link',
        body: { type: 'object', required: ['token'], properties: { token: { type: 'string', maxLength: 200 } } },
        response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['confirmed', 'held'], description: 'held: confirmed, and waiting for an organiser\'s check before it counts' }, letter: { type: 'string' }, count: { type: 'integer' }, receipt: { type: 'string', description: 'Private page of the signer\'s log receipt (keep it: it is the only copy of the link)' } } }, 400: errorSchema, 409: errorSchema, 410: errorSchema },
      },
      preValidation: async (req) => requireJson(req),
    }, async (req) => {
      const { letter, signature, receiptToken } = await confirm(s.deps, req.body.token);
      return { status: signature.status === 'held' ? 'held' : 'confirmed', letter: letter.slug, count: await s.reads.count(letter.id), ...(receiptToken ? { receipt: receiptUrl(s.deps, signature.lang, receiptToken) } : {}) };
    });
  };
}
