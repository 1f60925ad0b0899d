/**
 * GET /dev/outbox (development only, when mail is captured rather than sent): the captured mail in a browser. It
 * shows signers' addresses and working links, so it answers only a client on this machine that came through no proxy
 * (the TCP peer, not a header); anyone else gets the ordinary 404.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../config.ts';
import { DomainError } from '../../../core/errors.ts';
import { cameThroughProxy, isLoopbackPeer } from '../kit/host.ts';
import { sendPage } from '../kit/page.ts';
import { devOutboxPage, type CapturedMail } from '../views/dev-outbox.ts';

export function devRoutes(config: Config, devOutbox: ((limit: number) => readonly CapturedMail[]) | undefined) {
  return async (f: FastifyInstance) => {
    f.get('/dev/outbox', async (req, reply) => {
      if (!isLoopbackPeer(req) || cameThroughProxy(req)) throw new DomainError('NOT_FOUND', 'Not found');
      return sendPage(reply, devOutboxPage(config.baseUrl, devOutbox ? devOutbox(50) : []));
    });
  };
}
