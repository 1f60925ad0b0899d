/** GET /api/v1/challenge: a proof-of-work challenge (ALTCHA) for the sign form's widget and API clients. */
import type { FastifyInstance } from 'fastify';
import { CHALLENGE_TTL_S } from '../../kit/screening.ts';

export function challengeApi() {
  return async (f: FastifyInstance) => {
    f.get('/challenge', {
      schema: {
        tags: ['signatures'],
        summary: `A proof-of-work challenge (ALTCHA, SHA-256): solve it and send the solution as \`altcha\` when signing; good for ${CHALLENGE_TTL_S / 60} minutes, once`,
        response: {
          200: {
            type: 'object',
            properties: {
              parameters: { type: 'object', additionalProperties: true, properties: { algorithm: { type: 'string' }, nonce: { type: 'string' }, salt: { type: 'string' }, cost: { type: 'integer' }, keyLength: { type: 'integer' }, keyPrefix: { type: 'string' }, keySignature: { type: 'string' }, expiresAt: { type: 'integer' } } },
              signature: { type: 'string' },
            },
          },
        },
      },
    }, async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return f.screen.challenge();
    });
  };
}
