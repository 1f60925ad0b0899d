/**
 * The transparency log over HTTP, per c2sp.org/tlog-tiles: /log/checkpoint, /log/tile/<L>/<N>[.p/<W>],
 * /log/tile/entries/<N>[.p/<W>], and the verifier key at /log/key. Everything is read from the database, so every
 * process serving it serves the same log. Full tiles never change: a CDN may cache them for ever.
 *
 * /log/openings/<N>[.p/<W>] is ours, for auditors (docs/transparency-log.md §7.3): for the entries of bundle N, the
 * public list's names with their name openings, so that an audit checks every public name against its commitment
 * in one request per bundle, without paging the sorted list. It shows exactly what the public list shows of those
 * signatures and nothing more: never a hidden, withdrawn or removed signature, a contact opening or an email; an
 * erased item keeps only its index. It changes when a signer withdraws or is erased, so it is cached briefly, with
 * an ETag.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../use-cases/services.ts';
import { DomainError } from '../../core/errors.ts';
import { parseTilePath, TILE_WIDTH } from '../../core/log/index.ts';
import type { PublicOpening } from '../../core/log-ports.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const PARTIAL = 'public, max-age=60';
const CHECKPOINT = 'public, max-age=2, must-revalidate';
/** Openings vanish on withdrawal and erasure: a shared cache may keep them only briefly. */
const OPENINGS = 'public, max-age=10, must-revalidate';

/**
 * The openings body: `{"from", "width", "names": [[index, name, base64 opening], …], "erased": [index, …]}`,
 * in index order, and `"duplicates": [[index, earlier index], …]` when the bundle holds a signature's entry written
 * again (§7.8). Built by hand (JSON.stringify per string) to stay cheap for 256 items.
 */
export function openingsBody(from: number, width: number, items: readonly PublicOpening[], repeats: readonly { index: number; of: number }[] = []): string {
  const names: string[] = [];
  const erased: number[] = [];
  for (const it of items) {
    if (it.nameOpening) names.push(`[${it.index},${JSON.stringify(it.name)},"${Buffer.from(it.nameOpening.buffer, it.nameOpening.byteOffset, it.nameOpening.byteLength).toString('base64')}"]`);
    else erased.push(it.index);
  }
  const dup = repeats.length ? `,"duplicates":[${repeats.map((r) => `[${r.index},${r.of}]`).join(',')}]` : '';
  return `{"from":${from},"width":${width},"names":[${names.join(',')}],"erased":[${erased.join(',')}]${dup}}`;
}

function notModified(req: FastifyRequest, etag: string): boolean {
  const h = req.headers['if-none-match'];
  if (!h) return false;
  return h.split(',').some((t) => {
    const v = t.trim();
    return v === '*' || v === etag || v === `W/${etag}`;
  });
}

export function logRoutes(s: Services) {
  const log = s.deps.store.log;
  return async (f: FastifyInstance) => {
    f.get('/log/checkpoint', { schema: { hide: true } }, async (_req, reply) => {
      const st = await log.state();
      if (!st) throw new DomainError('LOG_NOT_READY', 'The log has no checkpoint yet');
      return reply.type('text/plain; charset=utf-8').header('cache-control', CHECKPOINT).header('access-control-allow-origin', '*').send(st.checkpoint);
    });

    f.get('/log/key', { schema: { hide: true } }, async (_req, reply) =>
      reply.type('text/plain; charset=utf-8').header('cache-control', 'public, max-age=86400').header('access-control-allow-origin', '*').send(s.log.vkey + '\n'),
    );

    f.get<{ Params: { '*': string } }>('/log/tile/*', { schema: { hide: true } }, async (req, reply: FastifyReply) => {
      const p = parseTilePath('tile/' + req.params['*']);
      if (!p) throw new DomainError('NOT_FOUND', 'Not a tile path');
      const data = p.kind === 'entries' ? await log.readBundle(p.index, p.width) : await log.readTile(p.level, p.index, p.width);
      if (!data) throw new DomainError('NOT_FOUND', 'No such tile');
      return reply
        .type('application/octet-stream')
        .header('cache-control', p.width === TILE_WIDTH ? IMMUTABLE : PARTIAL)
        .header('access-control-allow-origin', '*')
        .send(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });

    f.get<{ Params: { '*': string } }>('/log/openings/*', { schema: { hide: true } }, async (req, reply: FastifyReply) => {
      // The same canonical index and width spelling as the entry bundle it goes with.
      const p = parseTilePath('tile/entries/' + req.params['*']);
      if (!p) throw new DomainError('NOT_FOUND', 'Not an openings path');
      const from = p.index * TILE_WIDTH;
      const st = await log.state();
      // Like a bundle, it exists once the log holds its entries (never for indexes beyond the checkpoint).
      if (!st || from + p.width > st.size) throw new DomainError('NOT_FOUND', 'No such bundle');
      const [items, repeats] = await Promise.all([log.publicOpenings(from, from + p.width), log.repeatedSignatures(from, from + p.width)]);
      const body = Buffer.from(openingsBody(from, p.width, items, repeats));
      const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
      reply.header('cache-control', OPENINGS).header('access-control-allow-origin', '*').header('etag', etag);
      if (notModified(req, etag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(body);
    });
  };
}
