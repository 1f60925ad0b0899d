/** GET /dev/outbox (development only, when mail is captured rather than sent): the captured mail in a browser. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../config.ts';
import { sendPage } from '../kit/page.ts';
import { devOutboxPage, type CapturedMail } from '../views/dev-outbox.ts';

export function devRoutes(config: Config, devOutbox: ((limit: number) => readonly CapturedMail[]) | undefined) {
  return async (f: FastifyInstance) => {
    f.get('/dev/outbox', async (_req, reply) => sendPage(reply, devOutboxPage(config.baseUrl, devOutbox ? devOutbox(50) : [])));
  };
}
