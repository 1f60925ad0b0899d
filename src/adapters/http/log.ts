/**
 * The transparency log over HTTP, per c2sp.org/tlog-tiles: /log/checkpoint, /log/tile/<L>/<N>[.p/<W>],
 * /log/tile/entries/<N>[.p/<W>], and the verifier key at /log/key. Everything is read from the database, so every
 * process serving it serves the same log. Full tiles never change: a CDN may cache them for ever.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { App } from '../../main.ts';
import { DomainError } from '../../core/errors.ts';
import { parseTilePath, TILE_WIDTH } from '../../core/log/index.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const PARTIAL = 'public, max-age=60';
const CHECKPOINT = 'public, max-age=2, must-revalidate';

export function logRoutes(app: App) {
  return async (f: FastifyInstance) => {
    f.get('/log/checkpoint', { schema: { hide: true } }, async (_req, reply) => {
      const st = await app.store.log.state();
      if (!st) throw new DomainError('LOG_NOT_READY', 'The log has no checkpoint yet');
      return reply.type('text/plain; charset=utf-8').header('cache-control', CHECKPOINT).header('access-control-allow-origin', '*').send(st.checkpoint);
    });

    f.get('/log/key', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=86400').header('access-control-allow-origin', '*').send(app.log.vkey + '\n'),
    );

    f.get<{ Params: { '*': string } }>('/log/tile/*', { schema: { hide: true } }, async (req, reply: FastifyReply) => {
      const p = parseTilePath('tile/' + req.params['*']);
      if (!p) throw new DomainError('NOT_FOUND', 'Not a tile path');
      const data = p.kind === 'entries' ? await app.store.log.readBundle(p.index, p.width) : await app.store.log.readTile(p.level, p.index, p.width);
      if (!data) throw new DomainError('NOT_FOUND', 'No such tile');
      return reply
        .type('application/octet-stream')
        .header('cache-control', p.width === TILE_WIDTH ? IMMUTABLE : PARTIAL)
        .header('access-control-allow-origin', '*')
        .send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
  };
}
