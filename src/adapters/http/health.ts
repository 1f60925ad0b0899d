/**
 * GET /health: what a load balancer or an operator checks (the database, the outbox backlog, the log's sequencing
 * lag); 503 with Retry-After without the database, 200 otherwise (`status: "backlogged"` still serves). GET /healthz
 * answers only that the process is up.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../use-cases/services.ts';

export function healthRoutes(s: Services) {
  return async function routes(f: FastifyInstance): Promise<void> {
    f.get('/health', { schema: { hide: true } }, async (_req, reply) => {
      const h = await s.health.health();
      reply.header('cache-control', 'no-store');
      if (h.status === 'unavailable') reply.code(503).header('retry-after', '5');
      return h;
    });
    f.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
      reply.header('cache-control', 'no-store');
      return { ok: true };
    });
  };
}
